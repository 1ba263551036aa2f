"""Large imports and exports run as background jobs: the officer (or an API client) hands the
file over, watches its progress, and finds the result — stored, refused with every reason and
the marked file, or an export to download — even after the web server restarted.

The threshold is lowered to a handful of rows here; the worker is the real one
(``duan8 worker --batch``: django-tasks' database worker) on the test database."""

import datetime
import io
import os
import socket

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from duan8.activities.models import Activity
from duan8.community.models import CommunityModel
from duan8.core import jobs
from duan8.core.models import AuditEvent, Job
from tests.factories import downloaded, run_jobs, token, xlsx

HEADER = ["Xã, thôn", "Tên", "Ngày thành lập", "Thành viên nữ", "Thành viên nam"]


@pytest.fixture(autouse=True)
def small_jobs(monkeypatch):
    """Files of more than three rows, and lists of more than three records, are jobs."""
    monkeypatch.setattr(jobs, "ROWS", 3)


def teams(count: int, *, bad: dict[int, list] | None = None):
    rows = [["Xã Mồ Sì San", f"Tổ số {i}", "01/03/2024", 5, 2] for i in range(count)]
    for index, row in (bad or {}).items():
        rows[index] = row
    return xlsx([HEADER, *rows])


def upload(client, world, file, existing="skip"):
    client.force_login(world.province_admin)
    return client.post(
        reverse("community:import", args=[world.province.pk]) + "?kind=communication_team",
        {"kind": "communication_team", "on": "01/03/2024", "file": file, "existing": existing},
    )


def run_worker() -> None:
    run_jobs()


def test_a_large_file_runs_as_a_job_whose_page_shows_its_progress_and_result(client, world):
    before = CommunityModel.objects.count()
    response = upload(client, world, teams(8))
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("core:job", args=[job.pk])
    assert CommunityModel.objects.count() == before  # nothing yet: the worker has not run
    page = client.get(response.url).content.decode()
    assert 'data-state="queued"' in page and "hx-trigger" in page  # it polls while waiting

    run_worker()

    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.result["created"] == 8
    assert CommunityModel.objects.count() == before + 8
    status = client.get(response.url, {"part": "status"}).content.decode()
    assert 'data-state="done"' in status and "hx-trigger" not in status  # it stops polling
    assert "8" in status
    # Stored in the officer's name, as if she had imported from the page.
    created = CommunityModel.objects.filter(name="Tổ số 7").get()
    event = AuditEvent.objects.for_object(created).get()
    assert event.actor == world.province_admin and event.source == "web"


def test_a_running_job_shows_its_phase_and_how_many_rows_are_done(client, world):
    upload(client, world, teams(8))
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING)
    jobs.Progress(job)("checking", 5, 8)
    status = client.get(
        reverse("core:job", args=[job.pk]), {"part": "status", "language": "vi"}
    ).content.decode()
    assert "5 / 8" in status and 'max="8"' in status and 'value="5"' in status
    assert "hx-trigger" in status


def test_a_refused_job_lists_every_problem_offers_the_marked_file_and_stores_nothing(client, world):
    before = CommunityModel.objects.count()
    upload(client, world, teams(6, bad={2: ["Xã Mồ Sì San", "Tổ X", "31/02/2024", -1, 0]}))
    run_worker()
    job = Job.objects.get()
    assert job.state == Job.State.REFUSED and job.result["error_count"] == 2
    assert CommunityModel.objects.count() == before
    page = client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "31/02/2024" in page and 'data-testid="annotated-file"' in page
    marked = client.get(job.result["annotated"])
    assert marked.status_code == 200
    sheet = load_workbook(io.BytesIO(downloaded(marked))).active
    assert sheet["C4"].comment is not None and sheet["D4"].comment is not None
    assert not os.path.exists(jobs.path_of(job.upload))  # the upload is not kept


def test_a_large_export_is_written_by_a_job_and_downloaded_by_its_owner_only(client, world):
    for i in range(5):
        CommunityModel.objects.create(
            kind="communication_team",
            unit=world.commune,
            name=f"Tổ xuất {i}",
            established_on=datetime.date(2024, 1, 1),
        )
    client.force_login(world.province_admin)
    response = client.get(
        reverse("community:export", args=[world.province.pk]), {"kind": "communication_team"}
    )
    job = Job.objects.get()
    assert response.url == reverse("core:job", args=[job.pk])
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.result["rows"] == 6
    page = client.get(response.url).content.decode()
    assert reverse("core:job_file", args=[job.pk]) in page
    assert "Tải tệp Excel" in page
    sheet = load_workbook(
        io.BytesIO(downloaded(client.get(reverse("core:job_file", args=[job.pk]))))
    ).active
    names = sorted(row[3] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == sorted([f"Tổ xuất {i}" for i in range(5)] + [world.team.name])
    # Nobody else sees the job or its file, not even the national administrator.
    client.force_login(world.national_admin)
    assert client.get(response.url).status_code == 404
    assert client.get(reverse("core:job_file", args=[job.pk])).status_code == 404


def test_an_export_job_lists_what_its_owner_saw_when_she_asked(client, world):
    """The job keeps the list's filters; the owner's scope is applied when it runs."""
    for i in range(4):
        Activity.objects.create(
            kind="dialogue",
            dialogue_level="commune",
            title=f"Đối thoại {i}",
            unit=world.commune,
            start_on=datetime.date(2024, 3, i + 1),
            end_on=datetime.date(2024, 3, i + 1),
        )
    Activity.objects.create(
        kind="campaign",
        title="Chiến dịch",
        unit=world.commune,
        start_on=datetime.date(2024, 3, 1),
        end_on=datetime.date(2024, 3, 1),
    )
    client.force_login(world.province_admin)
    client.get(reverse("activities:export", args=[world.province.pk]), {"kind": "dialogue"})
    run_worker()
    job = Job.objects.get()
    sheet = load_workbook(jobs.path_of(job.output)).active
    titles = {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert titles == {f"Đối thoại {i}" for i in range(4)} | {world.dialogue.title}


def test_a_job_left_running_by_a_stopped_worker_is_run_again_when_a_worker_starts(client, world):
    before = CommunityModel.objects.count()
    upload(client, world, teams(5))
    job = Job.objects.get()
    # The worker that took it was stopped (a restart): its process is gone, nothing stored.
    run_job = Job.objects.filter(pk=job.pk)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.update(status="RUNNING")  # as the stopped worker left its task
    run_job.update(
        state=Job.State.RUNNING,
        attempts=1,
        worker=f"{socket.gethostname()}:999999999",
    )
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 2
    assert CommunityModel.objects.count() == before + 5


def test_a_job_running_in_a_live_worker_is_left_alone(client, world):
    upload(client, world, teams(5))
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        heartbeat=datetime.datetime.now(datetime.UTC),
    )
    assert jobs.recover() == 0


def test_the_api_takes_a_file_and_answers_with_a_job_to_poll(client, world):
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token(world.province_admin)}"}
    response = client.post(
        reverse("api:import_create"),
        {
            "what": "models",
            "unit_id": world.province.pk,
            "kind": "communication_team",
            "on": "2024-03-01",
            "file": teams(2),
        },
        **bearer,
    )
    assert response.status_code == 202, response.content
    answer = response.json()
    assert answer["state"] == "queued" and answer["url"] == reverse("api:job", args=[answer["id"]])
    run_worker()
    polled = client.get(answer["url"], **bearer).json()
    assert polled["state"] == "done" and polled["result"]["created"] == 2
    assert polled["percent"] == 100 and polled["file_url"] is None

    exported = client.post(
        reverse("api:export_create"),
        {"what": "models", "unit_id": world.province.pk, "kind": "communication_team"},
        content_type="application/json",
        **bearer,
    ).json()
    run_worker()
    polled = client.get(exported["url"], **bearer).json()
    assert polled["state"] == "done" and polled["result"]["rows"] == 3
    book = load_workbook(io.BytesIO(downloaded(client.get(polled["file_url"], **bearer))))
    assert book.active.max_row == 4


def test_the_api_refuses_an_import_it_cannot_read_or_may_not_store(client, world):
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token(world.sibling_viewer)}"}
    outside = client.post(
        reverse("api:import_create"),
        {
            "what": "models",
            "unit_id": world.commune.pk,
            "kind": "communication_team",
            "file": teams(2),
        },
        **bearer,
    )
    assert outside.status_code == 404
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token(world.province_admin)}"}
    not_excel = client.post(
        reverse("api:import_create"),
        {
            "what": "activities",
            "unit_id": world.province.pk,
            "kind": "dialogue",
            "file": io.BytesIO(b"not a workbook"),
        },
        **bearer,
    )
    assert not_excel.status_code == 422 and "Excel" in not_excel.json()["detail"]
    assert not Job.objects.exists()


def test_village_and_classification_files_above_the_threshold_run_as_jobs(client, world):
    from duan8.geo.models import AdminUnit, Classification, UnitKind

    client.force_login(world.province_admin)
    villages = xlsx([["Xã", "Thôn, bản"], *[["Mỏ Sì San", f"Bản Nền {i}"] for i in range(5)]])
    response = client.post(
        reverse("geo:village_import", args=[world.province.pk]),
        {"file": villages, "on": "01/01/2024"},
    )
    job = Job.objects.get(kind="villages.import")
    assert response.url == reverse("core:job", args=[job.pk])
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.result["created"] == 5
    assert "Mỏ Sì San" in job.result["notes"][0]  # a near spelling is stored, and said
    assert AdminUnit.objects.filter(kind=UnitKind.VILLAGE, name__startswith="Bản Nền").count() == 5
    page = client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "Mỏ Sì San" in page

    header = ["Đơn vị", "Phân loại", "Giá trị", "Hiệu lực từ"]
    rows = [
        ["Xã Pa Tần", "region", value, f"0{i + 1}/01/2022"]
        for i, value in enumerate(["I", "II", "III", "II"])
    ]
    client.post(
        reverse("geo:classification_import", args=[world.province.pk]),
        {"file": xlsx([header, *rows]), "on": "01/06/2024", "existing": "skip"},
    )
    job = Job.objects.get(kind="classifications.import")
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.result["created"] == 4
    assert Classification.objects.filter(unit=world.sibling_commune).count() == 4


def test_a_large_village_export_is_written_by_a_job(client, world):
    from duan8.geo import villages as village_actions

    for i in range(4):
        village_actions.add(world.sibling_commune, f"Bản Xuất {i}")
    client.force_login(world.province_admin)
    response = client.get(reverse("geo:village_export", args=[world.province.pk]))
    job = Job.objects.get(kind="villages.export")
    assert response.url == reverse("core:job", args=[job.pk])
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.result["rows"] == 5
    sheet = load_workbook(jobs.path_of(job.output)).active
    assert ("Xã Pa Tần", "Bản Xuất 3", "Huyện Sìn Hồ", "Tỉnh Lai Châu") in set(
        sheet.iter_rows(min_row=2, values_only=True)
    )
