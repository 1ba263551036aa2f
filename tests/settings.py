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

# Static files come from the finders in tests, never from a folder `make run` collected: its
# manifest would turn every name into a hashed one that the test servers cannot find, so the
# two commands work in either order.
STATIC_ROOT = Path(tempfile.gettempdir()) / "duan8-tests-static-never-collected"
