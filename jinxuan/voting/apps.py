from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "jinxuan.voting"
    label = "voting"
    verbose_name = "网络投票"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        from . import export, registration

        registration.register()  # this stage kind's description, read by the stage runtime
        export.register()  # the vote export, built in the background when large
