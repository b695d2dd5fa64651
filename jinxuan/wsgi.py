import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinxuan.settings")
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application

from jinxuan.voting.fastpath import Handler  # noqa: E402 - needs the apps loaded

# Django's WSGI handler, except that a confirmed public vote is answered without the middleware it does not need
# (the same checks and answer; see jinxuan/voting/fastpath.py).
application = Handler()
