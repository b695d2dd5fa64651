"""The key of the audit chain's HMAC: AUDIT_HMAC_KEY from the environment, else derived from SECRET_KEY. It lives
with the application (its environment), never in the database, so database access alone cannot recompute the
chain. Changing it (or SECRET_KEY while AUDIT_HMAC_KEY is unset) makes every existing event fail verification:
set AUDIT_HMAC_KEY in production and keep it with the backups of the environment, not of the database."""

import hashlib
import hmac

from django.conf import settings


def chain_key() -> bytes:
    explicit = getattr(settings, "AUDIT_HMAC_KEY", "")
    if explicit:
        return explicit.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"jinxuan.audit.chain", hashlib.sha256).digest()
