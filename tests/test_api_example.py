"""The client documentation's examples work: docs/examples/api_client.py (quoted verbatim in
docs/api.md) runs against a live server and prints the reading path's figures, every item of a
list paged by cursor, and an import job that finished; the curl example's addresses are
operations of the OpenAPI description."""

from __future__ import annotations

import datetime
import io
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from duan8.analytics import reading
from duan8.community.models import CommunityModel
from duan8.framework import actions, defaults, periods
from duan8.geo.models import AdminUnit
from tests.factories import World, downloaded, token, xlsx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "api_client.py"
GUIDE = ROOT / "docs" / "api.md"
# The guide quotes the example right after this marker.
QUOTED = re.compile(r"<!-- docs/examples/api_client.py -->\n```python\n(?P<code>.*?)```", re.S)


def test_the_guide_quotes_the_python_example_verbatim():
    found = QUOTED.search(GUIDE.read_text())
    assert found, "docs/api.md quotes docs/examples/api_client.py after its marker"
    assert found.group("code") == EXAMPLE.read_text()


def _curl_operations() -> set[tuple[str, str]]:
    """(method, path) of every curl command in the guide, its path written as the OpenAPI
    description writes it: ids as {…} and the query left out."""
    text = GUIDE.read_text()
    blocks = re.findall(r"```(?:sh|bash|console)\n(.*?)```", text, re.S)
    commands = " ".join(b.replace("\\\n", " ") for b in blocks)
    found = set()
    for command in re.findall(r"curl\b[^\n]*", commands):
        method = re.search(r"(?:-X|--request)\s+([A-Z]+)", command)
        url = re.search(r'"?\$BASE(/[^"\s?]*)', command)
        if url is None:
            continue
        posts = re.search(r"\s(?:-d|--data\S*|-F|--form|--json)\s", command)
        sends = posts and not re.search(r"\s(?:-G|--get)\s", command)
        verb = method.group(1) if method else ("POST" if sends else "GET")
        found.add((verb, url.group(1)))
    return found


def _template(path: str, paths: set[str]) -> str | None:
    """The OpenAPI path a concrete path (/jobs/42) is an instance of (/jobs/{job_id})."""
    for candidate in paths:
        pattern = re.sub(r"\\\{\w+\\\}", r"[^/]+", re.escape(candidate))
        if re.fullmatch(pattern, path):
            return candidate
    return None


@pytest.mark.django_db
def test_every_curl_example_is_an_operation_of_the_openapi_description(client):
    described = client.get("/api/v1/openapi.json").json()["paths"]
    prefix = "/api/v1"
    paths = {p.removeprefix(prefix) for p in described}
    examples = _curl_operations()
    assert len(examples) >= 8, examples  # me, figures, pages, export, import, poll, files
    for method, path in sorted(examples):
        template = _template(path, paths)
        assert template is not None, f"curl example {method} {path}: no such address"
        assert method.lower() in described[prefix + template], f"{method} {path}"


def _float(value) -> float | None:
    """A number as printed (JSON's 23.0, Python's None) or as read (Decimal), to compare."""
    return None if value in (None, "None") else float(value)


def _world_with_figures():
    world = World()
    phase = defaults.load()
    indicator = phase.indicators().get(code="TTCĐ")
    for number in range(22):  # more than two pages of ten
        CommunityModel.objects.create(
            kind="communication_team",
            unit=world.commune if number % 2 else world.sibling_commune,
            name=f"Tổ truyền thông số {number:02d}",
            established_on=datetime.date(2024, 3, 1) + datetime.timedelta(days=number),
            members_women=9,
            members_men=1,
        )
    actions.set_target(indicator, world.province, periods.parse("2024"), Decimal(40))
    return world, indicator


def _run_example(live_server, tmp_path, user, unit, **extra) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DUAN8_API_URL": live_server.url,
        "DUAN8_API_TOKEN": token(user),
        "DUAN8_UNIT": str(unit.pk),
        "DUAN8_PAGE_SIZE": "10",
        **extra,
    }
    return subprocess.run(
        [sys.executable, str(EXAMPLE)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def jobs_run_when_queued(settings):
    """The queue runs each job as it is queued, in the live server's own thread (django-tasks'
    immediate backend): the client still submits, polls and downloads, and no second thread
    shares the test's in-memory SQLite connection with the server."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.django_db(transaction=True)
def test_the_python_example_runs_against_a_live_server(live_server, tmp_path, jobs_run_when_queued):
    world, indicator = _world_with_figures()
    ran = _run_example(live_server, tmp_path, world.province_admin, world.province)
    assert ran.returncode == 0, ran.stderr + ran.stdout
    out = ran.stdout
    assert f"signed in as {world.province_admin.username}; unit {world.province.pk}" in out

    printed = {
        int(unit): (_float(value), _float(target), _float(percent))
        for unit, value, target, percent in re.findall(
            r"figure TTCĐ 2024 unit=(\d+) value=(\S+) target=(\S+) percent=(\S+)", out
        )
    }
    period = periods.parse("2024")
    day = reading.tree_date(world.province, period)
    districts = AdminUnit.objects.filter(parent=world.province).valid_on(day)
    expected = {}
    for unit in [world.province, *districts]:
        found = reading.read(indicator, unit, period, day)
        expected[unit.pk] = (_float(found.value), _float(found.target), _float(found.percent))
    assert printed == expected
    # The 22 teams above and the World's, against the province's target of 40.
    assert printed[world.province.pk] == (23, 40, 57.5)

    teams = CommunityModel.objects.within(
        world.province, on=reading.records_day(world.province, None, None)
    )
    assert teams.count() == 23  # the 22 above and the World's team of Bản Sì Choang
    assert "models paged: 23 of 23 in 3 pages" in out

    exported = re.search(r"export job \d+: done, (\d+) rows", out)
    assert exported and int(exported.group(1)) == 23, out
    imported = re.search(r"import job \d+: (\w+) (\{.*\})", out)
    assert imported and imported.group(1) == "done", out
    assert '"skipped": 23' in imported.group(2), out
    assert CommunityModel.objects.count() == 23  # imported back: every row already there


@pytest.mark.django_db
def test_a_refused_import_answers_the_address_of_its_file_with_the_errors_marked(world):
    client = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token(world.commune_editor)}"}
    header = ["Xã, thôn", "Tên", "Ngày thành lập", "Thành viên nữ", "Thành viên nam"]
    upload = xlsx([header, ["Xã Mồ Sì San", "Câu lạc bộ Thủ lĩnh", "32/13/2024", 9, 1]])
    queued = client.post(
        "/api/v1/imports",
        {"what": "models", "unit_id": world.commune.pk, "kind": "leaders_club", "file": upload},
        **bearer,
    )
    assert queued.status_code == 202, queued.content
    from tests.factories import run_jobs

    run_jobs()
    job = client.get(queued.json()["url"], **bearer).json()
    assert job["state"] == "refused" and job["result"]["errors"], job
    assert job["errors_url"] == f"/api/v1/jobs/{job['id']}/errors", job["result"]
    marked = load_workbook(io.BytesIO(downloaded(client.get(job["errors_url"], **bearer))))
    assert marked.active.max_row >= 2
    other = {"HTTP_AUTHORIZATION": f"Bearer {token(world.province_admin)}"}
    assert client.get(job["errors_url"], **other).status_code == 404  # only its owner's
