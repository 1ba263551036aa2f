"""Static files: hashed and compressed in production, plain in tests, whatever is collected.

`make run` collects hashed copies and their manifest into var/static. The tests must not read
that manifest (the browser tests' live server serves from the finders, which know no hashed
names), and production must keep serving the hashed copies through WhiteNoise.
"""

import json
import re

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.urls import reverse

import duan8.settings as production
from duan8.core.checks import VENDOR_FILES

STATIC_NAME = re.compile(r'(?:href|src)="/static/([^"?#]+)"')


def _static_names(page) -> list[str]:
    assert page.status_code == 200
    return STATIC_NAME.findall(page.content.decode())


def test_pages_in_tests_name_files_the_finders_serve_whatever_static_root_holds(
    db, client, settings, tmp_path
):
    """A stale manifest, as `make run` leaves in var/static, changes nothing in tests."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    stale = {name: name.replace(".min.", ".min.0123456789ab.") for name in VENDOR_FILES}
    stale["duan8/app.css"] = "duan8/app.0123456789ab.css"
    (settings.STATIC_ROOT / "staticfiles.json").write_text(
        json.dumps({"paths": stale, "version": "1.1", "hash": "0123456789ab"})
    )

    assert staticfiles_storage.url("vendor/htmx/htmx.min.js") == "/static/vendor/htmx/htmx.min.js"
    names = _static_names(client.get(reverse("accounts:signin")))
    assert set(VENDOR_FILES) <= set(names)
    assert [name for name in names if finders.find(name) is None] == []


def test_production_serves_hashed_compressed_copies_through_whitenoise(
    db, client, settings, tmp_path
):
    settings.STORAGES = production.STORAGES
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", "--noinput", verbosity=0)

    url = staticfiles_storage.url("vendor/htmx/htmx.min.js")
    assert re.fullmatch(r"/static/vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js", url)
    hashed = settings.STATIC_ROOT / url.removeprefix("/static/")
    assert hashed.read_bytes() == open(finders.find("vendor/htmx/htmx.min.js"), "rb").read()
    assert hashed.with_name(hashed.name + ".gz").exists()

    # A page names the hashed copies; the client's WhiteNoise reads this STATIC_ROOT.
    names = _static_names(client.get(reverse("accounts:signin")))
    assert url.removeprefix("/static/") in names
    for name in names:
        served = client.get("/static/" + name)
        assert served.status_code == 200, name
        assert "immutable" in served["Cache-Control"], name
        served.close()
