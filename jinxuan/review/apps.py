from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "jinxuan.review"
    label = "review"
    verbose_name = "专业评审"

    def ready(self):
        from . import registration

        registration.register()  # this stage kind's description, read by the stage runtime
