"""The framework's indicator GOI04 (ethnic-minority mothers supported by the four packages) is
counted from the payments: its definition in force gets the measure ``benefits.mothers_supported``
when it has none. Idempotent: an indicator that does not exist yet (the framework is loaded
after the migrations on a new installation, and ``framework.defaults`` sets the measure then)
or a definition with a measure already is left as it is."""

from django.db import migrations

CODE = "GOI04"
MEASURE = "benefits.mothers_supported"


def _current_versions(apps):
    indicator = apps.get_model("framework", "Indicator")
    version = apps.get_model("framework", "IndicatorVersion")
    for found in indicator.objects.filter(code=CODE):
        current = (
            version.objects.filter(indicator=found, valid_until__isnull=True)
            .order_by("-valid_from")
            .first()
        )
        if current is not None:
            yield current


def set_measure(apps, schema_editor):
    for current in _current_versions(apps):
        if not current.measure:
            current.measure = MEASURE
            current.save(update_fields=["measure"])


def unset_measure(apps, schema_editor):
    for current in _current_versions(apps):
        if current.measure == MEASURE:
            current.measure = ""
            current.save(update_fields=["measure"])


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0001_initial"),
        ("framework", "0002_longer_period_kinds"),
    ]

    operations = [migrations.RunPython(set_measure, unset_measure)]
