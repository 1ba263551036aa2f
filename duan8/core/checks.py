"""Start-up checks for what a broken installation would otherwise show as a broken page."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

from duan8.core.catalog import LOCALE_DIR

VENDOR_FILES = [
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
]


@register(Tags.staticfiles)
def check_vendor_assets(app_configs=None, **kwargs):
    from django.contrib.staticfiles import finders

    missing = [name for name in VENDOR_FILES if finders.find(name) is None]
    if not missing:
        return []
    return [
        Warning(
            f"Front-end packages are not installed: {', '.join(missing)}.",
            hint="Run `make assets` (npm ci, then copy into duan8/static/vendor).",
            id="duan8.W001",
        )
    ]


@register()
def check_translations(app_configs=None, **kwargs):
    if settings.LANGUAGE_CODE == "vi" and not (LOCALE_DIR / "vi/LC_MESSAGES/django.mo").exists():
        return [
            Warning(
                "The Vietnamese catalogue is not compiled; pages will show English.",
                hint="Run `duan8 messages` (or `make install`).",
                id="duan8.W002",
            )
        ]
    return []
