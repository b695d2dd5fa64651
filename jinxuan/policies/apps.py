from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "jinxuan.policies"
    label = "policies"
    verbose_name = "政策文件"
    default_auto_field = "django.db.models.BigAutoField"
