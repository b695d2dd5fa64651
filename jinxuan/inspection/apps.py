from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "jinxuan.inspection"
    label = "inspection"
    verbose_name = "实地考察"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        from . import registration

        registration.register()  # this stage kind's description, read by the stage runtime
