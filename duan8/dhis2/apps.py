from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Dhis2Config(AppConfig):
    name = "duan8.dhis2"
    label = "dhis2"
    verbose_name = _("DHIS2 data exchange")

    def ready(self):
        from duan8.dhis2 import background

        background.register()  # the imports' and exports' background jobs
