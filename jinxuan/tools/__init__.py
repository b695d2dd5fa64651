"""Text tools exposed as the `jinxuan text …` command."""
