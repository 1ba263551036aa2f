from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "duan8.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from duan8.activities import background, measures  # noqa: F401  (registers the measures)

        background.register()
