from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "jinxuan.recommendations"
    label = "recommendations"
    verbose_name = "区级推荐"

    def ready(self):
        from jinxuan.accounts.rules import install, staff_of_campaign

        install("recommendations.manage", staff_of_campaign)  # only the campaign's organiser (and superusers)
