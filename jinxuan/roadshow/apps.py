from django.apps import AppConfig


class RoadshowConfig(AppConfig):
    name = "jinxuan.roadshow"
    label = "roadshow"
    verbose_name = "路演答辩"
