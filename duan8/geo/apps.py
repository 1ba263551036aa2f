from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "duan8.geo"
    label = "geo"
    verbose_name = _("Geography")

    def ready(self) -> None:
        from duan8.geo import background

        background.register()
