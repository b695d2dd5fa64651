"""The application reader: one page that renders a submitted application for every role that may read it."""
