from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "jinxuan.voting"
    label = "voting"
    verbose_name = "网络投票"
