from importlib import import_module

from django.apps import AppConfig

# Modules whose import registers stage kinds with the engine.
STAGE_MODULES = ("jinxuan.review.stage", "jinxuan.outcomes.composite", "jinxuan.roadshow.stage",
                 "jinxuan.inspection.stage")


class PipelineConfig(AppConfig):
    name = "jinxuan.pipeline"
    label = "pipeline"
    verbose_name = "评审流程"

    def ready(self):
        for module in STAGE_MODULES:
            import_module(module)
