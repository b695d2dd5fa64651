from django.db import migrations


def drop(apps, schema_editor):
    from jinxuan.library.search import drop_index_schema

    drop_index_schema(schema_editor)  # the index now lives in a Tantivy directory (`search_index.py`)


def create(apps, schema_editor):
    from jinxuan.library.search import create_index_schema

    create_index_schema(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("library", "0004_search_head")]

    operations = [
        migrations.RunPython(drop, create),
        migrations.DeleteModel(name="IndexState"),
    ]
