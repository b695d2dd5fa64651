from django.apps import AppConfig


class ToolsConfig(AppConfig):
    name = "jinxuan.tools"
    label = "tools"
    verbose_name = "文本工具"
