"""What a server reads before its first request (``analytics.warmup``, run by ``duan8 serve``
before it forks): the first officer of the day finds the national pages ready."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duan8.analytics import reading, warmup
from duan8.community import actions as community_actions
from duan8.community.models import CommunityModel
from tests.factories import ReformWorld, user

FACT_QUERY = 'COUNT("community_communitymodel"."id") FILTER'


@pytest.fixture
def reform(db):
    return ReformWorld()


@pytest.fixture
def rolled(monkeypatch) -> list[datetime.date]:
    """The tree dates of every whole-tree sum (``_roll_up``, ``_roll_up_once``) from now on."""
    days: list[datetime.date] = []
    for name in ("_roll_up", "_roll_up_once"):
        original = getattr(reading, name)

        def spy(facts, tree, original=original):
            days.append(tree.day)
            return original(facts, tree)

        monkeypatch.setattr(reading, name, spy)
    return days


def team(where, on: datetime.date, name: str) -> CommunityModel:
    return community_actions.save(
        CommunityModel(kind="communication_team", unit=where, name=name, established_on=on)
    )


def test_after_the_warm_up_the_national_unit_page_reads_no_records(client, reform):
    team(reform.mu_sang, datetime.date(2024, 5, 1), "Tổ Mù Sang")
    team(reform.dao_san, datetime.date(2025, 9, 1), "Tổ Dào San")
    reading.forget()
    today = datetime.date.today()
    done = warmup.warm_up(today)
    assert f"Việt Nam {today.year}" in done["read"]
    client.force_login(user("tw", national_admin=True))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("geo:unit", args=[reform.nation.pk]))
    assert [n for _v, _l, n in page.context["model_counts"]] == [2]
    assert not any(FACT_QUERY in q["sql"] for q in queries.captured_queries)


def test_a_team_saved_after_the_warm_up_is_on_the_next_page_without_reading_older_years(
    client, reform
):
    team(reform.mu_sang, datetime.date(2023, 5, 1), "Tổ 2023")
    reading.forget()
    warmup.warm_up(datetime.date.today())
    team(reform.dao_san, datetime.date.today(), "Tổ hôm nay")
    client.force_login(user("tw", national_admin=True))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("geo:unit", args=[reform.nation.pk]))
    assert [n for _v, _l, n in page.context["model_counts"]] == [2]
    fetched = [q["sql"] for q in queries.captured_queries if FACT_QUERY in q["sql"]]
    assert len(fetched) == 1 and 'unit_id" IN' in fetched[0]  # today's year, patched


def test_a_former_province_page_after_the_warm_up_sums_up_no_national_tree(client, reform, rolled):
    """The 63 former provinces' pages read the tree of 30/6/2025: the warm-up sums it up once,
    and their first reader after a write gets the totals patched, not rebuilt."""
    team(reform.mu_sang, datetime.date(2025, 3, 1), "Tổ Mù Sang")
    reading.forget()
    done = warmup.warm_up(datetime.date.today())
    assert "Việt Nam 2025 (30/06/2025)" in done["read"]
    team(reform.ma_ly_pho, datetime.date(2025, 4, 1), "Tổ Ma Ly Pho")
    rolled.clear()  # what the warm-up summed up; from here on, the pages
    client.force_login(user("tw", national_admin=True))
    page = client.get(reverse("geo:unit", args=[reform.old_lai_chau.pk]))
    assert page.context["day"] == datetime.date(2025, 6, 30)
    assert [n for _v, _l, n in page.context["model_counts"]] == [2]
    assert rolled == []


def test_todays_province_reads_2024_after_the_warm_up_without_summing_up_the_nation(
    client, reform, rolled
):
    """Today's units began on 1/7/2025 and read 2024 on that day's tree: the warm-up sums the
    years before up on it once, for all of them."""
    team(reform.mu_sang, datetime.date(2024, 5, 1), "Tổ Mù Sang")
    reading.forget()
    done = warmup.warm_up(datetime.date.today())
    assert "Việt Nam 2024 (01/07/2025)" in done["read"]
    team(reform.ma_ly_pho, datetime.date(2024, 6, 1), "Tổ Ma Ly Pho")
    rolled.clear()  # what the warm-up summed up; from here on, the pages
    client.force_login(user("tw", national_admin=True))
    url = reverse("analytics:dashboard", args=[reform.lai_chau.pk])
    page = client.get(url, {"period": "2024"})
    assert page.status_code == 200
    row = next(r for r in page.context["board"].rows if r.indicator.code == "TTCĐ")
    assert row.period.value == 2 and row.period.on == datetime.date(2025, 7, 1)
    assert rolled == []


def test_a_failing_part_of_the_warm_up_leaves_the_others_to_run(reform, monkeypatch, caplog):
    from duan8.analytics import dashboard

    def broken(*args, **kwargs):
        raise RuntimeError("board broken")

    monkeypatch.setattr(dashboard, "board_for", broken)
    reading.forget()
    today = datetime.date.today()
    done = warmup.warm_up(today)
    assert f"Việt Nam {today.year}" in done["read"]  # the unit page, after the boards failed
    assert "Việt Nam 2025 (30/06/2025)" in done["read"]
    assert "dashboards of Việt Nam failed" in caplog.text
