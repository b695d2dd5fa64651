from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "jinxuan.campaigns"
    label = "campaigns"
    verbose_name = "征集活动"
