"""Villages and classifications imported and exported through the API as background jobs,
under the pages' rules: villages by the unit's administrators, classifications by the
province's."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from duan8.core.models import Job
from duan8.geo.models import AdminUnit, Classification
from tests.factories import downloaded, run_jobs, token, xlsx


def _bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token(user)}"}


def test_villages_come_in_and_go_out_as_jobs(client, world):
    villages = xlsx([["Xã", "Thôn, bản"], ["Mồ Sì San", "Bản Nậm Cáy"], ["Mồ Sì San", "Bản Hô"]])
    refused = client.post(
        reverse("api:import_create"),
        {"what": "villages", "unit_id": world.commune.pk, "file": villages},
        **_bearer(world.commune_editor),
    )
    assert refused.status_code == 403  # an editor records; the unit's administrators add units
    villages.seek(0)
    queued = client.post(
        reverse("api:import_create"),
        {"what": "villages", "unit_id": world.province.pk, "on": "2024-01-01", "file": villages},
        **_bearer(world.province_admin),
    )
    assert queued.status_code == 202, queued.content
    run_jobs()
    done = client.get(queued.json()["url"], **_bearer(world.province_admin)).json()
    assert done["state"] == "done" and done["result"]["created"] == 2, done
    assert AdminUnit.objects.filter(kind="village", name__in=["Bản Nậm Cáy", "Bản Hô"]).count() == 2
    exported = client.post(
        reverse("api:export_create"),
        {"what": "villages", "unit_id": world.commune.pk},
        content_type="application/json",
        **_bearer(world.commune_editor),
    )
    assert exported.status_code == 202
    run_jobs()
    polled = client.get(exported.json()["url"], **_bearer(world.commune_editor)).json()
    book = load_workbook(
        io.BytesIO(downloaded(client.get(polled["file_url"], **_bearer(world.commune_editor))))
    )
    names = {row[1] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert {"Bản Nậm Cáy", "Bản Hô", "Bản Sì Choang"} <= names


def test_classifications_are_exported_and_imported_back_by_the_provinces_administrators(
    client, world
):
    exported = client.post(
        reverse("api:export_create"),
        {"what": "classifications", "unit_id": world.province.pk},
        content_type="application/json",
        **_bearer(world.province_admin),
    )
    run_jobs()
    polled = client.get(exported.json()["url"], **_bearer(world.province_admin)).json()
    assert polled["state"] == "done" and polled["result"]["rows"] == 1
    content = downloaded(client.get(polled["file_url"], **_bearer(world.province_admin)))
    upload = io.BytesIO(content)
    upload.name = "phan-loai.xlsx"
    refused = client.post(
        reverse("api:import_create"),
        {"what": "classifications", "unit_id": world.province.pk, "file": upload},
        **_bearer(world.district_approver),
    )
    assert refused.status_code == 404  # the district's approver does not see the province
    upload.seek(0)
    queued = client.post(
        reverse("api:import_create"),
        {"what": "classifications", "unit_id": world.province.pk, "file": upload},
        **_bearer(world.province_admin),
    )
    assert queued.status_code == 202, queued.content
    run_jobs()
    done = client.get(queued.json()["url"], **_bearer(world.province_admin)).json()
    assert done["state"] == "done" and done["result"]["skipped"] == 1, done
    assert Classification.objects.count() == 1
    assert Job.objects.filter(kind="classifications.import", owner=world.province_admin).exists()
