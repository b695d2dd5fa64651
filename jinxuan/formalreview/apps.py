from django.apps import AppConfig


class FormalReviewConfig(AppConfig):
    name = "jinxuan.formalreview"
    label = "formalreview"
    verbose_name = "形式审核"

    def ready(self):
        from . import registration

        registration.register()  # this stage kind's description, read by the stage runtime
