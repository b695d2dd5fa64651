"""Re-chain an existing audit log under the application's HMAC key (jinxuan/audit/rechain.py): only after the old
SHA-256 chain verifies against its head and anchors; a broken log stops the migration."""

from pathlib import Path

from django.conf import settings
from django.db import migrations


def forwards(apps, schema_editor):
    from jinxuan.audit.key import chain_key
    from jinxuan.audit.rechain import rechain

    rechain(apps.get_model("audit", "AuditEvent"), apps.get_model("audit", "AuditHead"), schema_editor.connection,
            chain_key(), Path(settings.AUDIT_ANCHOR_FILE))


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
