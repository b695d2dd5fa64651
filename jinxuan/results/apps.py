from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "jinxuan.results"
    label = "results"
    verbose_name = "评奖与发布"

    def ready(self):
        from . import stage  # noqa: F401  (registers the `award` and `publish` stage kinds)
