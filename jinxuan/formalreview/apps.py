from django.apps import AppConfig


class FormalReviewConfig(AppConfig):
    name = "jinxuan.formalreview"
    label = "formalreview"
    verbose_name = "形式审核"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        from jinxuan.applicants.signals import version_submitted

        from . import registration
        from .tasks import enqueue_analysis

        version_submitted.connect(enqueue_analysis, dispatch_uid="formalreview.analysis")
        registration.register()  # this stage kind's description, read by the stage runtime
