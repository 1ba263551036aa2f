"""DHIS2 data values: periods both ways, dataValueSets out (JSON, CSV) and in (checked whole,
nothing partial, an import summary in DHIS2's shape, a dry run), the mapping and who may
keep it, and what an outsider may not do."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from duan8.dhis2 import periods as dhis2_periods
from duan8.dhis2.models import DataElementMapping, OrgUnitMapping, Part
from duan8.framework import periods
from duan8.reporting import figures
from duan8.reporting.models import Figure
from tests.factories import token

TOTAL, WOMEN, ETHNIC = "aTotal00001", "aWomen00001", "aEthnic0001"


@pytest.mark.parametrize(
    ("duan8", "dhis2"),
    [
        ("2024", "2024"),
        ("2024-H1", "2024S1"),
        ("2024-H2", "2024S2"),
        ("2024-Q1", "2024Q1"),
        ("2024-Q3", "2024Q3"),
        ("2024-07", "202407"),
        ("2025-12", "202512"),
    ],
)
def test_periods_convert_both_ways(duan8, dhis2):
    period = periods.parse(duan8)
    assert dhis2_periods.to_dhis2(period) == dhis2
    assert dhis2_periods.from_dhis2(dhis2) == period


@pytest.mark.parametrize(
    "text", ["2024H1", "2024S3", "2024Q5", "202413", "2024-Q3", "2024W12", "20240101", "", "x"]
)
def test_other_dhis2_periods_are_malformed(text):
    with pytest.raises(ValueError):
        dhis2_periods.from_dhis2(text)


def test_a_phase_has_no_dhis2_period():
    with pytest.raises(ValueError):
        dhis2_periods.to_dhis2(periods.parse("2021-2025"))


# The test world: Lai Châu's commune Mồ Sì San types a figure for the first half of 2024.


@pytest.fixture
def typed(world):
    """A typed indicator with its three parts mapped, and the commune's figure of 2024-H1."""
    return typed_indicator(world)


def typed_indicator(world):
    """What the fixture ``typed`` makes (tests/test_dhis2_jobs.py makes it too)."""
    from duan8.framework import actions, defaults

    phase = defaults.load()
    indicator = actions.add_indicator(
        phase.content_areas.get(code="ND1"),
        code="TTTT",
        name="Lượt người được truyền thông trực tiếp",
        unit_of_measure="người",
        source="typed",
        breakdowns=["sex", "ethnic_minority"],
        measure="reporting.typed",
    )
    for part, element in ((Part.TOTAL, TOTAL), (Part.WOMEN, WOMEN), (Part.ETHNIC_MINORITY, ETHNIC)):
        DataElementMapping.objects.create(indicator=indicator, part=part, data_element=element)
    figures.save(
        world.commune,
        periods.parse("2024-H1"),
        {indicator.pk: indicator},
        [figures.Entry(indicator.pk, Decimal(120), Decimal(80), None, "Hai buổi tại bản")],
    )
    world.phase, world.typed = phase, indicator
    return indicator


def get(client, user, **query):
    return client.get(
        reverse("api:dhis2_data_values"), query, HTTP_AUTHORIZATION=f"Bearer {token(user)}"
    )


def post(client, user, body, *, content_type="application/json", **query):
    url = reverse("api:dhis2_data_values_import")
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        url, data, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {token(user)}"
    )


def value(element, org_unit, number, period="2024S1", **more):
    return {"dataElement": element, "period": period, "orgUnit": org_unit, "value": number, **more}


def test_the_export_is_a_data_value_set_of_the_typed_parts(client, world, typed):
    response = get(client, world.province_admin, orgUnit="12", period="2024S1")
    assert response.status_code == 200, response.content
    found = response.json()
    assert found["period"] == "2024S1" and found["orgUnit"] == "12"
    values = {v["dataElement"]: v for v in found["dataValues"]}
    assert set(values) == {TOTAL, WOMEN}  # no ethnic-minority number was typed
    total = values[TOTAL]
    assert total["orgUnit"] == "03553" and total["period"] == "2024S1"
    assert total["value"] == "120" and values[WOMEN]["value"] == "80"
    assert total["comment"] == "Hai buổi tại bản"
    assert total["storedBy"] and total["lastUpdated"].startswith("20")
    assert "categoryOptionCombo" not in total  # the default combo


def test_the_csv_export_has_dhis2s_columns(client, world, typed):
    response = get(
        client, world.province_admin, unit=world.province.pk, period="2024-H1", format="csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "dataelement",
        "period",
        "orgunit",
        "catoptcombo",
        "attroptcombo",
        "value",
        "storedby",
        "lastupdated",
        "comment",
        "followup",
    ]
    total = next(row for row in rows[1:] if row[0] == TOTAL)
    assert total[1:4] == ["2024S1", "03553", ""] and total[5] == "120"
    assert total[8] == "Hai buổi tại bản" and total[9] == "false"


def test_accept_text_csv_gives_csv(client, world, typed):
    response = client.get(
        reverse("api:dhis2_data_values"),
        {"orgUnit": "12", "period": "2024S1"},
        HTTP_AUTHORIZATION=f"Bearer {token(world.province_admin)}",
        HTTP_ACCEPT="text/csv",
    )
    assert response.content.decode().startswith("dataelement,period,orgunit")


def test_a_mapped_uid_names_the_unit_both_ways(client, world, typed):
    OrgUnitMapping.objects.create(unit=world.commune, org_unit_uid="OuMoSiSan01")
    values = get(client, world.province_admin, orgUnit="12", period="2024S1").json()["dataValues"]
    assert {v["orgUnit"] for v in values} == {"OuMoSiSan01"}
    answer = post(
        client, world.commune_editor, {"dataValues": [value(TOTAL, "OuMoSiSan01", "130")]}
    )
    assert answer.json()["importCount"]["updated"] == 1
    assert Figure.objects.get(unit=world.commune).total == 130


def test_counted_indicators_are_exported_through_the_reading_path(client, world, typed):
    """The communication team of the commune's village counts in the commune's 2024 figure,
    the district's and the province's."""
    teams = world.phase.indicators().get(code="TTCĐ")
    DataElementMapping.objects.create(indicator=teams, data_element="aTeams00001")
    values = get(client, world.province_admin, orgUnit="12", period="2024").json()["dataValues"]
    teams_values = {v["orgUnit"]: v["value"] for v in values if v["dataElement"] == "aTeams00001"}
    assert teams_values == {"12": "1", "109": "1", "03553": "1"}


def test_a_data_value_set_is_imported_into_typed_figures(client, world, typed):
    body = {
        "period": "2024S2",
        "orgUnit": "03553",
        "dataValues": [
            {"dataElement": TOTAL, "value": "150"},
            {"dataElement": WOMEN, "value": 90},
            {"dataElement": ETHNIC, "value": "140.5"},
        ],
    }
    answer = post(client, world.commune_editor, body)
    assert answer.status_code == 200, answer.content
    summary = answer.json()
    assert summary["status"] == "SUCCESS" and summary["conflicts"] == []
    assert summary["importCount"] == {"imported": 3, "updated": 0, "ignored": 0, "deleted": 0}
    figure = Figure.objects.for_period(periods.parse("2024-H2")).get(unit=world.commune)
    assert (figure.total, figure.women, figure.ethnic_minority) == (150, 90, Decimal("140.5"))
    from duan8.core.models import AuditEvent

    event = AuditEvent.objects.for_object(figure).get()
    assert event.actor == world.commune_editor and event.source == "api"


def test_changed_equal_and_deleted_values_are_counted_apart(client, world, typed):
    body = {
        "dataValues": [
            value(TOTAL, "03553", "120"),
            value(WOMEN, "03553", "85"),
            value(ETHNIC, "03553", "100"),
        ]
    }
    counts = post(client, world.commune_editor, body).json()["importCount"]
    assert counts == {"imported": 1, "updated": 1, "ignored": 1, "deleted": 0}
    gone = post(
        client, world.commune_editor, {"dataValues": [value(WOMEN, "03553", "", deleted=True)]}
    )
    assert gone.json()["importCount"]["deleted"] == 1
    assert Figure.objects.get(unit=world.commune).women is None


def test_a_csv_body_is_imported(client, world, typed):
    text = "dataelement,period,orgunit,catoptcombo,attroptcombo,value\n"
    text += f"{TOTAL},2024Q3,03553,,,42\n"
    answer = post(client, world.commune_editor, text, content_type="text/csv")
    assert answer.json()["status"] == "SUCCESS", answer.content
    assert Figure.objects.for_period(periods.parse("2024-Q3")).get(unit=world.commune).total == 42


def test_a_set_with_three_conflicts_stores_nothing_and_names_them(client, world, typed):
    before = list(Figure.objects.values_list("pk", "total"))
    body = {
        "dataValues": [
            value(TOTAL, "03553", "200", period="2024S2"),  # fine on its own
            value(TOTAL, "99999", "10"),
            value("zzzzzzzzzzz", "03553", "10"),
            value(TOTAL, "03553", "10", period="2024H1"),
        ]
    }
    answer = post(client, world.commune_editor, body)
    assert answer.status_code == 409
    summary = answer.json()
    assert summary["status"] == "ERROR"
    assert summary["importCount"] == {"imported": 0, "updated": 0, "ignored": 4, "deleted": 0}
    conflicts = {c["object"]: c["value"] for c in summary["conflicts"]}
    assert set(conflicts) == {"99999", "zzzzzzzzzzz", "2024H1"}
    assert list(Figure.objects.values_list("pk", "total")) == before


def test_values_that_are_not_numbers_or_not_typed_are_conflicts(client, world, typed):
    teams = world.phase.indicators().get(code="TTCĐ")
    DataElementMapping.objects.create(indicator=teams, data_element="aTeams00001")
    body = {
        "dataValues": [
            value(TOTAL, "03553", "mười"),
            value(WOMEN, "03553", "-3"),
            value("aTeams00001", "03553", "4"),
        ]
    }
    summary = post(client, world.commune_editor, body).json()
    assert [c["object"] for c in summary["conflicts"]] == ["mười", "-3", "aTeams00001"]
    assert Figure.objects.get(unit=world.commune).total == 120


def test_the_pages_checks_refuse_the_whole_set(client, world, typed):
    """A figure over three times the previous period's needs a comment, as on the page."""
    body = {
        "dataValues": [
            value(TOTAL, "03553", "10", period="2024Q3"),
            value(TOTAL, "03553", "500", period="2024S2"),
        ]
    }
    summary = post(client, world.commune_editor, body).json()
    assert summary["status"] == "ERROR"
    assert [c["object"] for c in summary["conflicts"]] == ["TTTT"]
    assert "03553" in summary["conflicts"][0]["value"]
    assert Figure.objects.count() == 1
    body["dataValues"][1]["comment"] = "Chiến dịch tháng hành động"
    assert post(client, world.commune_editor, body).json()["status"] == "SUCCESS"
    assert Figure.objects.count() == 3


def test_a_dry_run_counts_and_stores_nothing(client, world, typed):
    body = {"dataValues": [value(TOTAL, "03553", "150", period="2024S2")]}
    answer = post(client, world.commune_editor, body, dryRun="true")
    summary = answer.json()
    assert answer.status_code == 200
    assert summary["importCount"]["imported"] == 1 and summary["importOptions"] == {"dryRun": True}
    assert not Figure.objects.for_period(periods.parse("2024-H2")).exists()


def test_an_outsider_can_neither_export_nor_import_another_provinces_figures(client, world, typed):
    assert get(client, world.outsider, orgUnit="12", period="2024S1").status_code == 404
    assert get(client, world.outsider, orgUnit="03553", period="2024S1").status_code == 404
    answer = post(client, world.outsider, {"dataValues": [value(TOTAL, "03553", "999")]})
    assert answer.status_code == 409
    assert [c["object"] for c in answer.json()["conflicts"]] == ["03553"]
    assert Figure.objects.get(unit=world.commune).total == 120


def test_a_viewer_of_a_sibling_district_exports_only_what_she_views(client, world, typed):
    found = get(client, world.sibling_viewer, unit=world.sibling_district.pk, period="2024S1")
    assert found.json()["dataValues"] == []
    assert (
        get(client, world.sibling_viewer, unit=world.commune.pk, period="2024S1").status_code == 404
    )


def test_an_unreadable_body_is_a_bad_request(client, world, typed):
    assert post(client, world.commune_editor, "{not json").status_code == 400
    assert post(client, world.commune_editor, {"values": []}).status_code == 400


def test_the_mapping_is_kept_by_national_and_province_administrators(client, world, typed):
    def call(method, name, user, body=None, **kwargs):
        url = reverse(f"api:{name}", kwargs=kwargs)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token(user)}"}
        if body is None:
            return getattr(client, method)(url, **headers)
        return getattr(client, method)(
            url, json.dumps(body), content_type="application/json", **headers
        )

    element = {"indicator": typed.pk, "part": "total", "data_element": "bTotal00001"}
    assert call("post", "dhis2_element_add", world.province_admin, element).status_code == 403
    assert call("post", "dhis2_element_add", world.national_admin, element).status_code == 422
    teams = world.phase.indicators().get(code="TTCĐ")
    added = call(
        "post", "dhis2_element_add", world.national_admin, {**element, "indicator": teams.pk}
    )
    assert added.status_code == 201, added.content
    row = {"unit": world.commune.pk, "org_unit_uid": "OuMoSiSan01"}
    assert call("post", "dhis2_org_unit_add", world.outsider, row).status_code == 404
    assert call("post", "dhis2_org_unit_add", world.commune_editor, row).status_code == 403
    made = call("post", "dhis2_org_unit_add", world.province_admin, row)
    assert made.status_code == 201 and made.json()["identifier"] == "OuMoSiSan01"
    listed = call("get", "dhis2_mapping", world.province_admin).json()
    assert [r["org_unit_uid"] for r in listed["org_units"]] == ["OuMoSiSan01"]
    assert len(listed["data_elements"]) == 4
    assert call("get", "dhis2_mapping", world.commune_editor).status_code == 403
    pk = made.json()["id"]
    assert call("delete", "dhis2_org_unit_delete", world.outsider, mapping_id=pk).status_code == 404
    assert (
        call("delete", "dhis2_org_unit_delete", world.province_admin, mapping_id=pk).status_code
        == 204
    )
    from duan8.core.models import AuditEvent

    assert AuditEvent.objects.filter(object_repr__contains="OuMoSiSan01").count() == 2


def test_the_command_line_exports_and_imports_as_an_account(world, typed, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "set.csv"
    call_command(
        "dhis2-export",
        "--as",
        world.province_admin.username,
        "--org-unit",
        "12",
        "--period",
        "2024S1",
        "--out",
        str(path),
    )
    assert path.read_text().splitlines()[1].startswith(f"{TOTAL},2024S1,03553,")
    path.write_text(path.read_text().replace(",120,", ",125,"))
    out = io.StringIO()
    call_command("dhis2-import", "--as", world.commune_editor.username, str(path), stdout=out)
    assert json.loads(out.getvalue())["importCount"]["updated"] == 1
    assert Figure.objects.get(unit=world.commune).total == 125
    with pytest.raises(CommandError):
        call_command(
            "dhis2-import", "--as", world.outsider.username, str(path), stdout=io.StringIO()
        )


def test_a_set_equal_to_what_is_stored_writes_nothing(client, world, typed):
    from duan8.core.models import AuditEvent

    figure = Figure.objects.get(unit=world.commune)
    before = AuditEvent.objects.for_object(figure).count()
    body = {"dataValues": [value(TOTAL, "03553", "120"), value(WOMEN, "03553", "80.00")]}
    summary = post(client, world.commune_editor, body).json()
    assert summary["importCount"] == {"imported": 0, "updated": 0, "ignored": 2, "deleted": 0}
    assert AuditEvent.objects.for_object(figure).count() == before
    figure.refresh_from_db()
    assert (figure.total, figure.women, figure.comment) == (120, 80, "Hai buổi tại bản")
