"""Test settings: the production settings module, given the environment a test run needs.

Values already in the environment win (CI sets DATABASE_URL for the PostgreSQL run).
"""

import os

os.environ.setdefault("DUAN8_SECRET_KEY", "tests-only-not-secret-" + "x" * 40)
os.environ.setdefault("DUAN8_HTTPS", "0")  # the test client speaks plain HTTP

from duan8.settings import *  # noqa: E402,F403
