"""The default Project 8 form filled from the demo: the nation at the end of 2023 shows the
mid-term figures of the central Women's Union's review (seed 001): 7.623 of 9.000 teams
(84,7%), 184 of 500 groups (36,8%), 1.462 of 1.000 trusted addresses (146,2%), 1.132 of 1.800
clubs (62,9%), 233 of 600 M&E trainings (38,8%).

Loading the official units and the demo takes a while, so this module loads once."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from duan8.accounts.models import User
from duan8.reportforms.models import ReportForm
from tests import demo_db
from tests.factories import downloaded

SEED_2023 = {
    "TTCĐ": (7623, 9000, 84.7),
    "SINHKE": (184, 500, 36.8),
    "DCTC": (1462, 1000, 146.2),
    "CLB": (1132, 1800, 62.9),
    "GSBDG": (233, 600, 38.8),
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_db.load_demo()
        yield
        demo_db.wipe()


def test_the_default_form_for_the_nation_at_end_2023_shows_the_mid_term_review(client, demo, db):
    form = ReportForm.objects.get(builtin="du-an-8")
    client.force_login(User.objects.get(username="admin"))
    response = client.get(reverse("reportforms:download", args=[form.pk]), {"period": "2023"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(downloaded(response))).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    nation = rows[header][3]
    assert "Số liệu theo đơn vị hành chính ngày 31/12/2023" in [r[0] for r in rows[:header]]
    provinces = [rows[header][3 + 4 * i] for i in range((len(rows[header]) - 3) // 4)]
    assert provinces[0] == nation and len(provinces) == 1 + 63  # the nation, 2023's provinces
    from duan8.framework.models import Indicator

    names = {i.code: i.name for i in Indicator.objects.filter(code__in=SEED_2023)}
    for code, (achieved, target, share) in SEED_2023.items():
        line = next(r for r in rows[header + 2 :] if r[1] == names[code])
        # The nation's cells: to date (2021–2023), the phase's target, the percent.
        assert line[4:7] == [achieved, target, pytest.approx(share)], code
    page = client.get(reverse("reportforms:fill", args=[form.pk]), {"period": "2023"})
    body = page.content.decode()
    for shown in ("84,7", "36,8", "146,2", "62,9", "38,8", "7.623", "1.462"):
        assert shown in body
