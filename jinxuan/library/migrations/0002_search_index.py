from django.db import migrations


def create(apps, schema_editor):
    from jinxuan.library.search import create_index_schema

    create_index_schema(schema_editor)


def drop(apps, schema_editor):
    from jinxuan.library.search import drop_index_schema

    drop_index_schema(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
