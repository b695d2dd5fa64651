from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "jinxuan.review"
    label = "review"
    verbose_name = "专业评审"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        from jinxuan.accounts.invitations import install_seat_handler
        from jinxuan.accounts.models import Role

        from . import registration
        from .services import seat_expert

        registration.register()  # this stage kind's description, read by the stage runtime
        install_seat_handler(Role.EXPERT, seat_expert)  # an accepted expert invitation seats the expert in the pool
