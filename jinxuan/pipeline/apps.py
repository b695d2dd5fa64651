from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "jinxuan.pipeline"
    label = "pipeline"
    verbose_name = "评审流程"
