from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "jinxuan.library"
    label = "library"
    verbose_name = "案例库"

    def ready(self):
        # cycle: apps.py is imported before any models load, so the imports below wait for ready()
        from jinxuan.campaigns.readiness import register_check, register_report

        from .readiness import index_lag, index_ready

        register_check(index_ready)  # the search index must open before a process reports ready
        register_report("library_index", index_lag)  # /readyz tells how far this host's index is behind

        from jinxuan.results.services import install_award_published

        def take_in(award, actor):
            from .services import publish_application  # imports models: only once the app registry is ready

            publish_application(award.application, tier=award.tier_name, special=award.special_name, actor=actor)

        install_award_published(take_in)  # published winners enter the case library

        from .compendium_files import register

        register()  # the compendium files, built in the background for a large campaign
