from django.apps import AppConfig


class RoadshowConfig(AppConfig):
    name = "jinxuan.roadshow"
    label = "roadshow"
    verbose_name = "路演答辩"

    def ready(self):
        from . import registration

        registration.register()  # this stage kind's description, read by the stage runtime
