"""The demo's typed figures leave as a DHIS2 dataValueSet and come back exactly: exported by
Lai Châu's administrator, the typed figures wiped (units and mapping kept), imported again.

Loading the official units and the demo takes a while, so this module loads once."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from duan8.accounts.models import User
from duan8.dhis2 import demo as dhis2_demo
from duan8.reporting.models import Figure
from tests import demo_db
from tests.factories import token


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_db.load_demo()
        yield
        demo_db.wipe()


def typed_figures() -> set[tuple]:
    return set(
        Figure.objects.filter(indicator__code=dhis2_demo.CODE).values_list(
            "unit_id", "period_kind", "period_start", "total", "women", "ethnic_minority", "comment"
        )
    )


def export(client, user, fmt="json"):
    return client.get(
        reverse("api:dhis2_data_values"),
        {"orgUnit": "109", "period": ["2024S1", "2024S2"], "format": fmt},
        HTTP_AUTHORIZATION=f"Bearer {token(user)}",
    )


def test_the_demo_has_typed_figures_for_three_phong_tho_communes(demo, db):
    found = typed_figures()
    assert len(found) == 6
    assert {row[3] for row in found} >= {320, 410, 275, 350, 240, 300}


def test_the_demo_loads_again_without_changing_anything(demo, db):
    from duan8.framework.models import Phase

    before = typed_figures()
    assert dhis2_demo.load(Phase.objects.get(code="GD1")) == 0
    assert typed_figures() == before


def test_the_demo_exports_its_typed_figures_by_data_element_and_org_unit(client, demo, db):
    admin = User.objects.get(username="laichau.quantri")
    found = export(client, admin).json()
    assert found["orgUnit"] == "109" and "period" not in found
    values = found["dataValues"]
    assert len(values) == 18  # 3 communes × 2 halves × 3 parts
    assert {v["orgUnit"] for v in values} >= {"OuMoSiSan01"}  # the commune with a UID
    assert {v["dataElement"] for v in values} == {e for e, _c in dhis2_demo.ELEMENTS.values()}
    mo_si_san = {
        (v["period"], v["dataElement"]): v["value"] for v in values if v["orgUnit"] == "OuMoSiSan01"
    }
    assert mo_si_san[("2024S1", "dA8TTTTall1")] == "320"
    assert mo_si_san[("2024S2", "dA8TTTTfem1")] == "240"


def test_an_exported_set_imported_into_an_emptied_database_gives_the_figures_back(client, demo, db):
    admin = User.objects.get(username="laichau.quantri")
    before = typed_figures()
    for fmt in ("json", "csv"):
        sent = export(client, admin, fmt)
        for figure in Figure.objects.filter(indicator__code=dhis2_demo.CODE):
            figure.delete()
        assert typed_figures() == set()
        if fmt == "json":
            body, kind = json.dumps(sent.json()), "application/json"
        else:
            body, kind = sent.content.decode(), "text/csv"
        answer = client.post(
            reverse("api:dhis2_data_values_import"),
            body,
            content_type=kind,
            HTTP_AUTHORIZATION=f"Bearer {token(admin)}",
        )
        summary = answer.json()
        assert answer.status_code == 200, summary
        assert summary["importCount"] == {
            "imported": 18,
            "updated": 0,
            "ignored": 0,
            "deleted": 0,
        }
        assert typed_figures() == before, fmt


def test_sonla_cannot_take_lai_chaus_figures_out_nor_put_them_in(client, demo, db):
    viewer = User.objects.get(username="sonla.xem")
    assert export(client, viewer).status_code == 404
    admin = User.objects.get(username="laichau.quantri")
    sent = export(client, admin).json()
    answer = client.post(
        reverse("api:dhis2_data_values_import"),
        json.dumps(sent),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(viewer)}",
    )
    assert answer.status_code == 409
    assert len(answer.json()["conflicts"]) == 18
