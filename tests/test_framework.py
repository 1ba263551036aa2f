"""The framework is rows an administrator edits: a new phase, its areas and indicators."""

import datetime

from django.urls import reverse

from duan8.framework import defaults
from duan8.framework.models import ContentArea, Indicator, Phase


def test_the_default_framework_loads_once_with_the_national_targets(world):
    phase = defaults.load()
    defaults.load()
    assert Phase.objects.count() == 1
    codes = set(phase.indicators().values_list("code", flat=True))
    assert {
        "TTCĐ",
        "SINHKE",
        "DCTC",
        "CLB",
        "GSBDG",
        "CBNU",
        "DTCS",
        "CT2",
        "CT3",
        "MBN",
        "GOI04",
        "TLGN",
    } <= codes
    teams = phase.indicators().get(code="TTCĐ")
    values = {t.period.code: t.value for t in teams.targets.filter(unit=world.nation)}
    assert values == {"2021-2025": 9000, "2024": 1377}
    rate = phase.indicators().get(code="TLGN").version_on(datetime.date(2024, 1, 1))
    assert (rate.aggregation, rate.numerator.code, rate.denominator.code) == (
        "ratio",
        "KPGN",
        "KPCO",
    )


def test_a_national_administrator_adds_phase_ii_an_area_and_an_indicator(client, world):
    phase = defaults.load()
    client.force_login(world.national_admin)
    client.post(
        reverse("framework:phase_add", args=[phase.project_id]),
        {
            "code": "GD2",
            "name": "Giai đoạn II (2026–2030)",
            "start": "01/01/2026",
            "end": "01/01/2031",
        },
    )
    second = Phase.objects.get(code="GD2")
    assert second.content_areas.count() == 0
    client.post(
        reverse("framework:content_area_add", args=[second.pk]),
        {"code": "ND1", "name": "Nội dung 1", "name_en": "", "order": 1},
    )
    area = ContentArea.objects.get(phase=second)
    response = client.post(
        reverse("framework:indicator_add", args=[area.pk]),
        {
            "code": "TTCĐ",
            "name": "Tổ truyền thông",
            "name_en": "",
            "order": 1,
            "unit_of_measure": "tổ",
            "aggregation": "sum",
            "source": "registry",
            "definition": "",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(content_area=area)
    assert indicator.version_on(datetime.date(2026, 1, 1)).unit_of_measure == "tổ"


def test_a_province_administrator_cannot_change_the_framework(client, world):
    phase = defaults.load()
    client.force_login(world.province_admin)
    response = client.post(
        reverse("framework:phase_add", args=[phase.project_id]),
        {"code": "GD2", "name": "x", "start": "01/01/2026", "end": "01/01/2031"},
    )
    assert response.status_code == 403
    assert Phase.objects.count() == 1


def test_a_definition_is_changed_from_a_date_on_the_indicator_page(client, world):
    phase = defaults.load()
    teams = phase.indicators().get(code="TTCĐ")
    client.force_login(world.national_admin)
    response = client.post(
        reverse("framework:version_add", args=[teams.pk]),
        {
            "valid_from": "01/01/2026",
            "unit_of_measure": "tổ",
            "aggregation": "sum",
            "source": "registry",
            "definition": "Chỉ đếm tổ có sinh hoạt trong kỳ",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("framework:indicator", args=[teams.pk])).content.decode()
    assert "01/01/2021 – 01/01/2026" in page and "Chỉ đếm tổ có sinh hoạt trong kỳ" in page
