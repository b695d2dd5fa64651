from django.apps import AppConfig


class RoadshowConfig(AppConfig):
    name = "jinxuan.roadshow"
    label = "roadshow"
    verbose_name = "路演答辩"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        from . import registration

        registration.register()  # this stage kind's description, read by the stage runtime

        from jinxuan.accounts.invitations import install_seat_handler
        from jinxuan.accounts.models import Role

        from .services import seat_invited_judge

        install_seat_handler(Role.ROADSHOW_JUDGE, seat_invited_judge)  # an accepted invitation seats the judge
