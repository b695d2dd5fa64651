from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "jinxuan.recommendations"
    label = "recommendations"
    verbose_name = "区级推荐"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        from jinxuan.accounts.rules import install, staff_of_campaign

        install("recommendations.manage", staff_of_campaign)  # only the campaign's organiser (and superusers)
