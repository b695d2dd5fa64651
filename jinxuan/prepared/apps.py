from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "jinxuan.prepared"
    label = "prepared"
    verbose_name = "后台生成的文件"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        import rules

        from jinxuan.accounts.rules import install

        from .services import may_fetch

        install("prepared.fetch", rules.predicate(may_fetch, name="may_fetch_prepared_file"))
