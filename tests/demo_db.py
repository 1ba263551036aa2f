"""The demo loaded once for a test module, and the database given back as migrations left it.

A module-scoped fixture commits the demo outside the tests' transactions, so it must be
wiped afterwards. Wiping duan8's tables also empties what data migrations put there (the 54
ethnic groups, the default eligibility rule set, the default report form, the disbursement
checkpoints…), which every later test on the same database relies on: the data migrations'
forward steps are run again after the wipe (each is idempotent, as a migration must be).
"""

from __future__ import annotations

import io

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython


def load_demo() -> None:
    call_command("demo", stdout=io.StringIO())


def wipe() -> None:
    """Every row of duan8's apps removed, then the data migrations' rows put back."""
    from duan8.analytics import reading
    from duan8.reporting import cycle

    tables = [
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model.__module__.startswith("duan8.")
    ]
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=True)
    )
    restore_reference_data()
    reading.forget()
    cycle.forget()


def restore_reference_data() -> None:
    """The data migrations' forward steps, run again on the current models (idempotent)."""
    for code in _data_steps():
        code(apps, None)


_steps: list = []


def _data_steps() -> list:
    if not _steps:
        loader = MigrationLoader(connection, ignore_no_migrations=True)
        labels = _duan8_labels()
        done: set[tuple[str, str]] = set()
        for leaf in sorted(loader.graph.leaf_nodes()):
            for key in loader.graph.forwards_plan(leaf):
                if key in done or key[0] not in labels:
                    continue
                done.add(key)
                _steps.extend(
                    operation.code
                    for operation in loader.graph.nodes[key].operations
                    if isinstance(operation, RunPython)
                )
    return _steps


def _duan8_labels() -> set[str]:
    return {config.label for config in apps.get_app_configs() if config.name.startswith("duan8.")}
