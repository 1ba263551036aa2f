"""DHIS2 dataValueSets in and out as background jobs: the same import as the request (checked
whole, nothing stored on a conflict, a dry run stores nothing), its DHIS2 summary kept as the
job's result, an export written as the job's file, and every job read by its owner only."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse

from duan8.core.models import Job
from duan8.framework import periods
from duan8.reporting.models import Figure
from tests.factories import downloaded, run_jobs, token
from tests.test_dhis2 import ETHNIC, TOTAL, WOMEN, typed_indicator, value


@pytest.fixture
def typed(world):
    """A typed indicator with its three parts mapped, and the commune's figure of 2024-H1."""
    return typed_indicator(world)


def _bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token(user)}"}


def submit(client, user, body, *, name="set.json", **query):
    url = reverse("api:dhis2_import_create")
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    upload = io.BytesIO(data if isinstance(data, bytes) else data.encode())
    upload.name = name
    return client.post(url, {"file": upload}, **_bearer(user))


def polled(client, user, queued):
    assert queued.status_code == 202, queued.content
    run_jobs()
    return client.get(queued.json()["url"], **_bearer(user)).json()


def test_an_import_job_ends_with_the_dhis2_summary(client, world, typed):
    body = {
        "period": "2024S2",
        "orgUnit": "03553",
        "dataValues": [
            {"dataElement": TOTAL, "value": "150"},
            {"dataElement": WOMEN, "value": "90"},
            {"dataElement": ETHNIC, "value": "140.5"},
        ],
    }
    queued = submit(client, world.commune_editor, body)
    assert queued.status_code == 202, queued.content
    job = queued.json()
    assert job["kind"] == "dhis2.import" and job["state"] == "queued"
    assert not Figure.objects.for_period(periods.parse("2024-H2")).exists()
    done = polled(client, world.commune_editor, queued)
    assert done["state"] == "done", done
    summary = done["result"]["summary"]
    assert summary["status"] == "SUCCESS" and summary["conflicts"] == []
    assert summary["importCount"] == {"imported": 3, "updated": 0, "ignored": 0, "deleted": 0}
    assert summary["importOptions"] == {"dryRun": False}
    figure = Figure.objects.for_period(periods.parse("2024-H2")).get(unit=world.commune)
    assert (figure.total, figure.women) == (150, 90)
    from duan8.core.models import AuditEvent

    event = AuditEvent.objects.for_object(figure).get()
    assert event.actor == world.commune_editor and event.source == "api"


def test_a_csv_file_is_imported_as_a_job(client, world, typed):
    text = "dataelement,period,orgunit,catoptcombo,attroptcombo,value\n"
    text += f"{TOTAL},2024Q3,03553,,,42\n"
    done = polled(
        client, world.commune_editor, submit(client, world.commune_editor, text, name="s.csv")
    )
    assert done["result"]["summary"]["importCount"]["imported"] == 1, done
    assert Figure.objects.for_period(periods.parse("2024-Q3")).get(unit=world.commune).total == 42


def test_a_bad_set_ends_refused_with_its_three_conflicts_and_stores_nothing(client, world, typed):
    before = list(Figure.objects.values_list("pk", "total"))
    body = {
        "dataValues": [
            value(TOTAL, "03553", "200", period="2024S2"),  # fine on its own
            value(TOTAL, "99999", "10"),
            value("zzzzzzzzzzz", "03553", "10"),
            value(TOTAL, "03553", "10", period="2024H1"),
        ]
    }
    done = polled(client, world.commune_editor, submit(client, world.commune_editor, body))
    assert done["state"] == "refused", done
    summary = done["result"]["summary"]
    assert summary["status"] == "ERROR"
    assert summary["importCount"] == {"imported": 0, "updated": 0, "ignored": 4, "deleted": 0}
    assert {c["object"] for c in summary["conflicts"]} == {"99999", "zzzzzzzzzzz", "2024H1"}
    # The same conflicts as every refused import lists them, each at its value's place.
    assert done["result"]["error_count"] == 3
    assert [e["row"] for e in done["result"]["errors"]] == [2, 3, 4]
    assert done["errors_url"] is None  # no marked workbook: the set was no workbook
    assert list(Figure.objects.values_list("pk", "total")) == before
    client.force_login(world.commune_editor)  # the job's page lists them too
    page = client.get(reverse("core:job", args=[done["id"]]))
    assert page.status_code == 200 and "zzzzzzzzzzz" in page.content.decode()


def test_a_dry_run_job_counts_and_stores_nothing(client, world, typed):
    body = {"dataValues": [value(TOTAL, "03553", "150", period="2024S2")]}
    done = polled(
        client, world.commune_editor, submit(client, world.commune_editor, body, dryRun="true")
    )
    assert done["state"] == "done", done
    summary = done["result"]["summary"]
    assert summary["importCount"]["imported"] == 1 and summary["importOptions"] == {"dryRun": True}
    assert done["result"]["created"] == 0
    assert not Figure.objects.for_period(periods.parse("2024-H2")).exists()


def test_the_rights_are_those_of_the_request_and_the_job_is_its_owners(client, world, typed):
    body = {"dataValues": [value(TOTAL, "03553", "999")]}
    queued = submit(client, world.outsider, body)
    done = polled(client, world.outsider, queued)
    assert done["state"] == "refused"
    assert [c["object"] for c in done["result"]["summary"]["conflicts"]] == ["03553"]
    assert Figure.objects.get(unit=world.commune).total == 120
    mine = submit(client, world.commune_editor, {"dataValues": [value(TOTAL, "03553", "121")]})
    url = mine.json()["url"]
    for other in (world.outsider, world.province_admin, world.national_admin):
        assert client.get(url, **_bearer(other)).status_code == 404
    assert client.get(url).status_code == 401
    run_jobs()
    assert client.get(url, **_bearer(world.commune_editor)).json()["state"] == "done"


def test_a_file_that_is_no_set_is_refused_at_once_or_refuses_its_job(
    client, world, typed, monkeypatch
):
    """The request looks at the file's head only (a large set is read by the job)."""
    from duan8.dhis2 import imports

    for body in ("", "[1, 2]", "<adx/>"):
        assert submit(client, world.commune_editor, body).status_code == 400, body
    assert submit(client, world.commune_editor, b"\xff\xfe{}").status_code == 400
    assert not Job.objects.exists()
    monkeypatch.setattr(imports, "MAX_JOB_VALUES", 1)
    too_many = {"dataValues": [value(TOTAL, "03553", "1"), value(WOMEN, "03553", "1")]}
    for body, reason in (
        ("{not json", "JSON"),
        ({"values": []}, "dataValues"),
        (too_many, "1"),
    ):
        done = polled(client, world.commune_editor, submit(client, world.commune_editor, body))
        assert done["state"] == "refused", done
        assert reason in done["result"]["errors"][0]["message"], done
    assert Figure.objects.get(unit=world.commune).total == 120


def test_a_set_larger_than_a_request_takes_goes_as_a_job(client, world, typed, monkeypatch):
    from duan8.dhis2 import imports

    monkeypatch.setattr(imports, "MAX_VALUES", 1)
    body = {"dataValues": [value(TOTAL, "03553", "130"), value(WOMEN, "03553", "70")]}
    direct = client.post(
        reverse("api:dhis2_data_values_import"),
        json.dumps(body),
        content_type="application/json",
        **_bearer(world.commune_editor),
    )
    assert direct.status_code == 400
    done = polled(client, world.commune_editor, submit(client, world.commune_editor, body))
    assert done["result"]["summary"]["importCount"]["updated"] == 2, done


def test_an_export_job_writes_the_data_value_set_as_its_file(client, world, typed):
    url = reverse("api:dhis2_export_create")
    queued = client.post(
        url,
        {"orgUnit": "12", "period": ["2024S1"]},
        content_type="application/json",
        **_bearer(world.province_admin),
    )
    done = polled(client, world.province_admin, queued)
    assert done["state"] == "done" and done["result"]["rows"] == 2, done
    assert done["file_url"]
    answer = client.get(done["file_url"], **_bearer(world.province_admin))
    assert answer["Content-Type"] == "application/json"
    found = json.loads(downloaded(answer))
    assert found["period"] == "2024S1"
    assert {v["dataElement"] for v in found["dataValues"]} == {TOTAL, WOMEN}
    assert client.get(done["file_url"], **_bearer(world.commune_editor)).status_code == 404
    client.force_login(world.province_admin)
    page = client.get(reverse("core:job", args=[done["id"]])).content.decode()
    assert "Tải tệp JSON" in page and "Tải tệp Excel" not in page
    as_csv = client.post(
        url,
        {"unit": world.commune.pk, "period": ["2024-H1"], "format": "csv"},
        content_type="application/json",
        **_bearer(world.commune_editor),
    )
    done = polled(client, world.commune_editor, as_csv)
    answer = client.get(done["file_url"], **_bearer(world.commune_editor))
    assert answer["Content-Type"].startswith("text/csv")
    lines = downloaded(answer).decode().splitlines()
    assert lines[0].startswith("dataelement,period,orgunit") and len(lines) == 3
    assert lines[1].startswith(f"{TOTAL},2024S1,03553,")


def test_an_export_job_of_a_unit_out_of_view_is_not_queued(client, world, typed):
    url = reverse("api:dhis2_export_create")
    body = {"orgUnit": "03553", "period": ["2024S1"]}
    answer = client.post(url, body, content_type="application/json", **_bearer(world.outsider))
    assert answer.status_code == 404
    body["period"] = ["2024W3"]
    answer = client.post(
        url, body, content_type="application/json", **_bearer(world.province_admin)
    )
    assert answer.status_code == 422
    assert not Job.objects.exists()
