"""Test settings: the production settings module, given the environment a test run needs.

Values already in the environment win (CI sets DATABASE_URL for the PostgreSQL run).
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DUAN8_SECRET_KEY", "tests-only-not-secret-" + "x" * 40)
os.environ.setdefault("DUAN8_HTTPS", "0")  # the test client speaks plain HTTP
# Tests run the background jobs themselves (``duan8 worker --batch``): no worker beside a
# server a test starts.
os.environ.setdefault("DUAN8_JOB_WORKER", "0")

from duan8.settings import *  # noqa: E402,F403

# Static files: tests name them as the finders know them and never read a manifest, whatever
# a STATIC_ROOT holds. `make run` collects hashed copies and their manifest
# (staticfiles.json) into var/static; were the tests to read it, every page would name hashed
# files that the browser tests' live server (which serves from the finders) cannot find. So
# the storage of the tests is Django's plain one, and their STATIC_ROOT is a folder nothing
# collects into: `make run` and `make test` work in either order on the same checkout.
# Production keeps duan8.core.storage.StaticStorage (hashed, compressed, served by
# WhiteNoise); tests/test_static_files.py collects with it into a temporary folder.
STATIC_ROOT = Path(tempfile.gettempdir()) / "duan8-tests-static-never-collected"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
