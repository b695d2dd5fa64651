from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "jinxuan.library"
    label = "library"
    verbose_name = "案例库"
