from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "jinxuan.library"
    label = "library"
    verbose_name = "案例库"

    def ready(self):
        from jinxuan.campaigns.readiness import register_check

        from .readiness import index_ready

        register_check(index_ready)  # the search index must open before a process reports ready
