from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "duan8.community"
    label = "community"
    verbose_name = _("Community models")

    def ready(self) -> None:
        from duan8.community import background, measures  # noqa: F401  (registers the measures)

        background.register()
