"""Writing a report form's definition: its fields, rows and period columns in one
transaction, through the audited write path. Each save raises the form's revision, so the
form's version moves with any change of its definition, its rows included."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from duan8.reportforms.models import FormColumn, FormRow, ReportForm

ROW_FIELDS = ("kind", "number", "code", "part", "label")
COLUMN_FIELDS = ("period", "header")


def bump(report: ReportForm) -> None:
    """Count one more save of the definition (done inside the save's transaction)."""
    report.revision = (report.revision or 0) + 1


@transaction.atomic
def save(
    report: ReportForm, rows: list[dict] | None = None, columns: list[dict] | None = None
) -> ReportForm:
    """Save ``report`` and, when given, replace its rows and period columns (lists of field
    values, in order): stored rows are changed in place, extra ones added, the rest removed.
    Refused whole (ValidationError) when any of them is not valid."""
    bump(report)
    report.full_clean()
    report.save()
    if rows is not None:
        _replace(report, FormRow, list(report.rows.all()), rows, ROW_FIELDS, "rows")
    if columns is not None:
        _replace(
            report,
            FormColumn,
            list(report.period_columns.all()),
            columns,
            COLUMN_FIELDS,
            "period_columns",
        )
    return report


def _replace(report, model, stored: list, wanted: list[dict], names, key: str) -> None:
    problems = []
    kept = []
    for index, values in enumerate(wanted):
        record = stored[index] if index < len(stored) else model(report=report)
        record.order = (index + 1) * 10
        for name in names:
            setattr(record, name, values.get(name) or "")
        try:
            record.full_clean(exclude=["report"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    problems.append(
                        _("Row %(row)d, %(field)s: %(message)s")
                        % {"row": index + 1, "field": field, "message": message}
                    )
            continue
        kept.append(record)
    if problems:
        raise ValidationError({key: problems})
    for record in kept:
        record.save()
    for record in stored[len(wanted) :]:
        record.delete()
