from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "jinxuan.reader"
    label = "reader"
    verbose_name = "申报书阅读"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        import rules

        from jinxuan.accounts.rules import install

        from .lens import may_read

        install("reader.read", rules.predicate(may_read, name="may_read_application"))
