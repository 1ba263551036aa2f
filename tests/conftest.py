import pytest

from tests.factories import World


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def figures_computed_afresh():
    """A test's rolled-back transaction can leave the change counters where another test's
    left them: figures and the geography held in memory are dropped before each test."""
    from duan8.analytics import reading
    from duan8.reporting import cycle

    reading.forget()
    cycle.forget()


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    """Attached documents written by tests go to a folder of their own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def reference_data_after_a_flush(request):
    """A transactional test (a live server for the browser, threads) empties every table when
    it ends, the data migrations' rows included: those rows are put back before each one."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if transactional:
        from tests import demo_db

        request.getfixturevalue("transactional_db")
        demo_db.restore_reference_data()


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def api_client(client):
    """The Django test client speaking JSON with a bearer token."""

    class ApiClient:
        def __init__(self, token=None):
            self.token = token

        def _headers(self):
            return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

        def get(self, url, **params):
            return client.get(url, params, **self._headers())

        def patch(self, url, data, *, raw=False, if_match=None):
            import json

            body = data if raw else json.dumps(data)
            headers = self._headers()
            if if_match is not None:
                headers["HTTP_IF_MATCH"] = f'"{if_match}"'
            return client.patch(url, body, content_type="application/json", **headers)

    return ApiClient
