from django.db import migrations


def create(apps, schema_editor):
    from jinxuan.library.search import create_head_schema

    create_head_schema(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("library", "0003_indexstate")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
