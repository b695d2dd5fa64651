from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "jinxuan.ops"
    label = "ops"
    verbose_name = "运维"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        from jinxuan.campaigns.readiness import register_check
        from jinxuan.storage.files import storage_problem

        register_check(storage_problem)  # an object store that cannot be reached makes the host not ready
