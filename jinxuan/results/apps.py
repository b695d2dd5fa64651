from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "jinxuan.results"
    label = "results"
    verbose_name = "评奖与发布"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        from . import registration

        registration.register()  # this stage kind's description, read by the stage runtime
