import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Q

from duan8.activities.models import Activity
from duan8.community.models import CommunityModel
from duan8.framework.models import Target
from duan8.geo import official
from duan8.geo.models import AdminUnit, Succession, UnitKind

REFORM = datetime.date(2025, 7, 1)


def outside_their_unit(records, day_field):
    """Records whose date lies outside the validity of the unit they are recorded on."""
    return records.filter(
        Q(**{f"{day_field}__lt": F("unit__valid_from")})
        | Q(**{f"{day_field}__gte": F("unit__valid_until")})
    )


@pytest.fixture
def generated(db):
    # Lai Châu before and after the reform stands in for the nation: a quick run.
    official.load(["12"], new_province_codes=["12"])
    call_command("generate", scale=0.002, seed=3, stdout=open("/dev/null", "w"))


def test_a_generated_data_set_has_villages_models_activities_and_targets(generated):
    assert AdminUnit.objects.filter(kind=UnitKind.VILLAGE).count() > 0
    assert CommunityModel.objects.count() == 200
    assert Activity.objects.count() == 600
    assert Target.objects.filter(unit__kind=UnitKind.PROVINCE).exists()
    assert Target.objects.filter(unit__kind=UnitKind.NATION, period_kind="year").exists()


def test_every_generated_record_lies_on_a_unit_that_exists_on_its_dates(generated):
    assert not outside_their_unit(CommunityModel.objects.all(), "established_on").exists()
    assert not outside_their_unit(Activity.objects.all(), "start_on").exists()
    assert not outside_their_unit(Activity.objects.all(), "end_on").exists()
    assert not Activity.objects.filter(end_on__lt=F("start_on")).exists()
    assert not CommunityModel.objects.exclude(
        unit__kind__in=[UnitKind.COMMUNE, UnitKind.VILLAGE]
    ).exists()
    # Records on both sides of the reform.
    assert Activity.objects.filter(start_on__lt=REFORM).exists()
    assert Activity.objects.filter(start_on__gte=REFORM).exists()


def test_generated_villages_are_carried_across_the_reform_like_added_ones(generated):
    villages = AdminUnit.objects.filter(kind=UnitKind.VILLAGE)
    for village in villages.filter(valid_until=REFORM)[:20]:
        link = Succession.objects.get(predecessor=village)
        carried = link.successor
        assert carried.name == village.name and carried.needs_review
        assert carried.parent.is_valid_on(REFORM)
        assert carried.path == f"{carried.parent.path}{carried.pk}/"
        assert village.path == f"{village.parent.path}{village.pk}/"
    assert (
        AdminUnit.objects.subtree(AdminUnit.objects.get(kind=UnitKind.NATION))
        .filter(kind=UnitKind.VILLAGE)
        .count()
        == villages.count()
    )


def test_generating_into_a_database_with_records_is_refused(generated):
    with pytest.raises(CommandError, match="throw-away"):
        call_command("generate", scale=0.001)


def test_generated_figures_are_read_through_the_reading_path(generated):
    from django.db.models import Sum

    from duan8.analytics import reading
    from duan8.framework import periods
    from duan8.framework.models import Indicator
    from duan8.reporting.models import Figure

    indicator = Indicator.objects.get(code="SL-TGTT")
    half = periods.parse("2024-H1")
    typed = Figure.objects.for_period(half).filter(indicator=indicator)
    assert typed.count() > 0
    nation = AdminUnit.objects.get(kind=UnitKind.NATION)
    total = typed.aggregate(n=Sum("total"))["n"]
    assert reading.read(indicator, nation, half).value == total
    # The same half-year read on today's units: every commune's figure carried, none lost.
    assert reading.read(indicator, nation, half, datetime.date(2026, 1, 1)).value == total
