"""Demo records from seed 004 (Kon Tum, 2022): 52 community communication teams.

The seed gives the number, not the teams: names and places are generated and say so."""

from __future__ import annotations

import datetime

from django.db import transaction

from duan8.community.models import CommunityModel, ModelKind, StatusChange
from duan8.core import audit
from duan8.geo.models import AdminUnit, UnitKind

KON_TUM_TEAMS_2022 = 52
DEMO_NOTE = "Dữ liệu minh họa theo kết quả năm 2022 của tỉnh Kon Tum (tên tạm)"


def kon_tum() -> AdminUnit | None:
    return AdminUnit.objects.filter(kind=UnitKind.PROVINCE, code="62").first()


@transaction.atomic
def load_kon_tum_teams() -> int:
    province = kon_tum()
    if province is None or CommunityModel.objects.within(province).filter(notes=DEMO_NOTE).exists():
        return 0
    communes = list(
        AdminUnit.objects.subtree(province).filter(kind=UnitKind.COMMUNE).order_by("path")
    )[:KON_TUM_TEAMS_2022]
    teams = [
        CommunityModel(
            kind=ModelKind.COMMUNICATION_TEAM,
            unit=commune,
            name=f"Tổ truyền thông cộng đồng {commune.short_name}",
            established_on=datetime.date(2022, 4, 1) + datetime.timedelta(days=3 * i),
            members_women=8,
            members_men=3,
            notes=DEMO_NOTE,
        )
        for i, commune in enumerate(communes)
    ]
    created = audit.bulk_create(teams)
    audit.bulk_create(
        [StatusChange(model=t, on=t.established_on, status="active") for t in created]
    )
    return len(created)
