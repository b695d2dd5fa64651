from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "jinxuan.publicity"
    label = "publicity"
    verbose_name = "结果公示"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        from . import registration

        registration.register()  # this stage kind's description, read by the stage runtime
