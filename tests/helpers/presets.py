"""The presets shipped with the project (presets/*.yaml)."""

from pathlib import Path

from django.conf import settings

PRESETS = sorted(Path(settings.PRESET_DIR).glob("*.yaml"))
