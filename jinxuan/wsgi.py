import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinxuan.settings")
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application

from jinxuan.ops.startup import settle  # noqa: E402 - needs the apps loaded
from jinxuan.voting.fastpath import Handler  # noqa: E402

# Django's WSGI handler, except that a confirmed public vote is answered without the middleware it does not need
# (the same checks and answer; see jinxuan/voting/fastpath.py).
application = Handler()

# The loaded project (every view module included) is kept out of the garbage collector: see settle().
settle()
