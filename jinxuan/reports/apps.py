from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "jinxuan.reports"
    label = "reports"
    verbose_name = "阶段结果与报告"
