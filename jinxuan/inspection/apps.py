from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "jinxuan.inspection"
    label = "inspection"
    verbose_name = "实地考察"

    def ready(self):
        from . import registration

        registration.register()  # this stage kind's description, read by the stage runtime
