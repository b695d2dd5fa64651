from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "jinxuan.notifications"
    label = "notifications"
    verbose_name = "通知"
