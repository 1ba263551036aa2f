from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaternalConfig(AppConfig):
    name = "duan8.maternal"
    label = "maternal"
    verbose_name = _("Maternal support")

    def ready(self) -> None:
        from duan8.maternal import views

        views.register()  # the Excel import's and export's background jobs
