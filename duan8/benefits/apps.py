from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "duan8.benefits"
    label = "benefits"
    verbose_name = _("Support packages and payments")

    def ready(self) -> None:
        from duan8.benefits import measures  # noqa: F401  (registers the measures)
