from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "duan8.analytics"
    verbose_name = _("Figures and progress")
