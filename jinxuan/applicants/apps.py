from django.apps import AppConfig


class ApplicantsConfig(AppConfig):
    name = "jinxuan.applicants"
    label = "applicants"
    verbose_name = "申报"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        from .permissions import install_permissions
        from .signals import version_submitted
        from .tasks import enqueue_printouts

        install_permissions()
        version_submitted.connect(enqueue_printouts, dispatch_uid="applicants.printouts")
