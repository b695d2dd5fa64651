"""An application process loads every view and keeps the loaded project out of the garbage collector."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wsgi_process_loads_the_views_and_freezes_what_it_loaded():
    code = ("import gc, sys; before = 'jinxuan.reports.views' in sys.modules; import jinxuan.wsgi; "
            "print(before, 'jinxuan.reports.views' in sys.modules, gc.get_freeze_count())")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jinxuan.settings"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    assert out[:2] == ["False", "True"]
    assert int(out[2]) > 100_000  # the project's objects, frozen
