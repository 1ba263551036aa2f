"""The 54 ethnic groups and the default eligibility rule set, as rows administrators add to.

The default set follows Guidance 04/HD-ĐCT of the Women's Union as the Lai Châu notice applies
it (seed 000): an ethnic-minority mother aged 18 full years or more, living in an especially
disadvantaged commune or village, giving birth at a health facility, in line with the
population policy of Decree 39/2015/NĐ-CP Art. 1 — no poor-household requirement. How births
after 3/6/2025 (the ordinance lifting the two-child rule) are judged is not confirmed by the
project's sources: an administrator adds a rule set from that day when it is."""

import datetime

from django.db import migrations

from duan8.maternal.ethnic_groups import GROUPS, VERY_SMALL

DEFAULT_NAME = "Hướng dẫn 04/HD-ĐCT (đối tượng thụ hưởng 04 gói hỗ trợ)"
DEFAULT_BASIS = (
    "Hướng dẫn số 04/HD-ĐCT ngày 28/7/2022 của Đoàn Chủ tịch TW Hội LHPN Việt Nam; "
    "Điều 1 Nghị định 39/2015/NĐ-CP ngày 27/4/2015; Thông báo 32/TB-BTV của Ban Thường vụ "
    "Hội LHPN tỉnh Lai Châu (không yêu cầu hộ nghèo)"
)


def load(apps, schema_editor):
    group = apps.get_model("maternal", "EthnicGroup")
    rule_set = apps.get_model("maternal", "RuleSet")
    for order, (code, name, aliases) in enumerate(GROUPS, start=1):
        group.objects.update_or_create(
            name=name,
            defaults={"code": code, "aliases": aliases, "order": order, "is_kinh": code == "01"},
        )
    if not rule_set.objects.exists():
        default = rule_set.objects.create(
            name=DEFAULT_NAME,
            legal_basis=DEFAULT_BASIS,
            valid_from=datetime.date(2022, 7, 28),
            min_age=18,
            requires_facility_birth=True,
            requires_poor_household=False,
            population_policy="decree_39",
        )
        default.very_small_groups.set(group.objects.filter(name__in=VERY_SMALL))


class Migration(migrations.Migration):
    dependencies = [("maternal", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
