"""The default carry-over rule and disbursement checkpoints, as rows administrators change.

No carry-over period is confirmed in the project's legal sources (docs/finance.md): the rule
shipped is a configurable default, labelled as such, not a legal figure."""

import datetime

from django.db import migrations

DEFAULT_RULE_SOURCE = (
    "Mặc định có thể sửa: đến 31/12 năm sau (chưa xác nhận quy định chuyển nguồn của "
    "Thông tư 55/2023/TT-BTC)"
)
CHECKPOINTS = [(6, 30, 30), (9, 30, 60)]


def load(apps, schema_editor):
    rule = apps.get_model("finance", "CarryOverRule")
    checkpoint = apps.get_model("finance", "Checkpoint")
    if not rule.objects.exists():
        rule.objects.create(
            valid_from=datetime.date(2021, 1, 1), months=12, legal_source=DEFAULT_RULE_SOURCE
        )
    for month, day, threshold in CHECKPOINTS:
        checkpoint.objects.get_or_create(month=month, day=day, defaults={"threshold": threshold})


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
