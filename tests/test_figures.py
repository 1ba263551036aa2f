"""Figures typed for a period, for what no registry counts, with the reviewer's checks."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from duan8.analytics import reading
from duan8.framework import actions, defaults, periods
from duan8.reporting import figures
from duan8.reporting.models import Figure


@pytest.fixture
def typed(world):
    phase = defaults.load()
    area = phase.content_areas.get(code="ND1")
    indicator = actions.add_indicator(
        area,
        code="TGTT",
        name="Người tham gia sinh hoạt truyền thông",
        unit_of_measure="người",
        source="typed",
        breakdowns=["sex", "ethnic_minority"],
        measure="reporting.typed",
    )
    return phase, indicator


def save(world, indicator, period, total, women=None, comment="", unit=None):
    return figures.save(
        unit or world.commune,
        periods.parse(period),
        {indicator.pk: indicator},
        [
            figures.Entry(
                indicator.pk,
                Decimal(total),
                Decimal(women) if women is not None else None,
                None,
                comment,
            )
        ],
    )


def test_women_cannot_be_more_than_the_total(world, typed):
    _phase, indicator = typed
    with pytest.raises(ValidationError) as refused:
        save(world, indicator, "2024-H1", 10, women=12)
    assert "TGTT" in refused.value.message_dict
    assert not Figure.objects.exists()


def test_a_figure_three_times_the_last_one_needs_a_comment(world, typed):
    _phase, indicator = typed
    save(world, indicator, "2024-H1", 100)
    with pytest.raises(ValidationError):
        save(world, indicator, "2024-H2", 350)
    save(world, indicator, "2024-H2", 350, comment="Thêm 3 thôn tham gia")
    assert Figure.objects.get(period_start__month=7).comment == "Thêm 3 thôn tham gia"


def test_typed_figures_add_up_through_the_measure(world, typed):
    _phase, indicator = typed
    save(world, indicator, "2024", 40)
    save(world, indicator, "2024", 25, unit=world.sibling_commune)
    result = reading.read(indicator, world.province, periods.parse("2024"))
    assert result.value == 65
    assert result.records_url.startswith(reverse("reporting:figures", args=[world.province.pk]))


def test_an_officer_types_figures_on_the_page(client, world, typed):
    phase, indicator = typed
    client.force_login(world.commune_editor)
    url = reverse("reporting:figures", args=[world.commune.pk])
    prefix = f"f-{indicator.pk}-"
    response = client.post(
        url,
        {
            "phase": phase.pk,
            "period": "2024",
            prefix + "total": "1.250",
            prefix + "women": "700",
            prefix + "comment": "",
        },
    )
    assert response.status_code == 302
    assert Figure.objects.get().total == Decimal("1250")
    bad = client.post(url, {"phase": phase.pk, "period": "2024", prefix + "total": "-3"})
    assert bad.status_code == 200 and Figure.objects.get().total == Decimal("1250")


def test_a_total_typed_above_is_not_added_to_the_figures_below_it(world, typed):
    _phase, indicator = typed
    save(world, indicator, "2024", 40)
    save(world, indicator, "2024", 25, unit=world.sibling_commune)
    save(world, indicator, "2024", 70, unit=world.province)
    assert reading.read(indicator, world.province, periods.parse("2024")).value == 70
    assert reading.read(indicator, world.district, periods.parse("2024")).value == 40
