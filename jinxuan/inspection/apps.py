from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "jinxuan.inspection"
    label = "inspection"
    verbose_name = "实地考察"
