"""Demo activities from seed 004 (Kon Tum, 2022): 17 trainings for about 800 officials and
5 courses for communication team leaders, taught by appointed trainers. Places and trainer
names are generated and say so."""

from __future__ import annotations

import datetime

from django.db import transaction

from duan8.activities import actions
from duan8.activities.models import Activity, Trainer, TrainerAppointment, TrainerQualification
from duan8.community.demo import kon_tum
from duan8.geo.models import AdminUnit, UnitKind

DEMO_NOTE = "Dữ liệu minh họa theo kết quả năm 2022 của tỉnh Kon Tum"


@transaction.atomic
def load_kon_tum_trainings() -> int:
    province = kon_tum()
    if province is None or Activity.objects.within(province).filter(notes=DEMO_NOTE).exists():
        return 0
    trainer = Trainer.objects.create(
        unit=province, name="Giảng viên nguồn (tên tạm)", organisation="Hội LHPN tỉnh Kon Tum"
    )
    for programme in ("programme_2", "team_leaders"):
        TrainerQualification.objects.create(
            trainer=trainer, programme=programme, completed_on=datetime.date(2022, 3, 15)
        )
    decision = TrainerAppointment.objects.create(
        unit=province,
        number="01/QĐ-HPN (minh họa)",
        date=datetime.date(2022, 4, 1),
        signer="Chủ tịch Hội LHPN tỉnh",
    )
    decision.trainers.add(trainer)
    districts = list(
        AdminUnit.objects.filter(parent=province, kind=UnitKind.DISTRICT).order_by("code")
    )
    count = 0
    plan = [
        ("programme_2", 17, "Tập huấn lồng ghép giới chương trình 2", [47] * 16 + [48]),
        ("team_leaders", 5, "Tập huấn tổ trưởng tổ truyền thông cộng đồng", [30] * 5),
    ]
    for programme, times, title, sizes in plan:
        for i in range(times):
            day = datetime.date(2022, 5, 3) + datetime.timedelta(days=7 * i)
            activity = Activity(
                kind="training",
                programme=programme,
                title=title,
                unit=districts[i % len(districts)],
                start_on=day,
                end_on=day + datetime.timedelta(days=1),
                organiser="Hội LHPN tỉnh Kon Tum",
                participants=sizes[i],
                participants_women=sizes[i] // 2,
                participants_ethnic=sizes[i] // 2,
                appointment=decision,
                notes=DEMO_NOTE,
            )
            actions.record(activity, [trainer])
            count += 1
    return count
