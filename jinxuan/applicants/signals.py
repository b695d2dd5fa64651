"""Signals of the application lifecycle."""

from django.dispatch import Signal

# Sent once a submit's transaction has committed, with `version_id` (the new ApplicationVersion) and `base_url`
# (the site's address as the submitter reached it, for links printed in documents).
version_submitted = Signal()
