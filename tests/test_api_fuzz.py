"""The API fuzzed from its own OpenAPI description (schemathesis on hypothesis).

Every operation is called with generated input, valid and invalid, by the national
administrator, a commune editor, a viewer (of the sibling district) and someone without a
token. Whatever comes in, the API never answers with a server error, and it answers only what
its description says: a documented status, with a body of the documented shape.

The requests run in this process through Django's WSGI handler, inside the test's transaction:
what the fuzzer writes is rolled back. Generated ids are often swapped for those of the test
world's records, so that operations get past "not found" into their real work. Hypothesis runs
derandomized and without its example database: the same examples on every run.
"""

from __future__ import annotations

import datetime

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from duan8.api.api import api
from tests.factories import token

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per persona and operation: valid and invalid input for those with a token; without
# one every operation answers 401 before reading anything, so a few suffice.
EXAMPLES = {"national_admin": 12, "commune_editor": 8, "sibling_viewer": 6, None: 2}

# Where a generated value names a record (or a step of the reporting cycle), what it names.
RECORD_FIELDS = {
    "unit_id": "unit",
    "unit": "unit",
    "parent": "unit",
    "within": "unit",
    "commune": "unit",
    "phase_id": "phase",
    "phase": "phase",
    "project": "project",
    "area_id": "area",
    "indicator_id": "indicator",
    "indicator": "indicator",
    "numerator": "indicator",
    "denominator": "indicator",
    "model_id": "model",
    "activity_id": "activity",
    "item_id": "classification",
    "entry_id": "entry",
    "job_id": "job",
    "trainers": "trainer",
    "period": "period",
    "year": "year",
    "action": "action",
    "line": "line",
    "estimate_id": "estimate",
    "norm": "norm",
    "norm_id": "norm",
    "line_id": "estimate_line",
    "scope": "unit",
    "form_id": "report_form",
    "package_id": "benefit_package",
    "amount_id": "benefit_amount",
    "support_item": "support_item",
    "birth_id": "birth",
    "entitlement_id": "entitlement",
    "mother_id": "mother",
    "mother": "mother",
}


@pytest.fixture
def in_process():
    """Django's WSGI application, as the test client runs it: the end of a request does not
    close the connection that holds the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def records(world) -> dict[str, list]:
    """The ids of the test world's records by kind, with a framework, a report sent up and an
    export job of the commune editor's."""
    from duan8.core import jobs
    from duan8.core.models import Job
    from duan8.framework import defaults, periods
    from duan8.geo.models import AdminUnit
    from duan8.reporting import cycle

    phase = defaults.load()
    cycle.submit(world.commune_editor, world.commune, periods.parse("2024"))
    job = Job.objects.create(
        kind="community.export",
        owner=world.commune_editor,
        unit=world.commune,
        source="api",
        state=Job.State.DONE,
        output="fuzz-export.xlsx",
        result={"rows": 0, "filename": "mo-hinh.xlsx"},
    )
    jobs.path_of(job.output).write_bytes(b"PK")
    from duan8.finance.models import BudgetLine

    line = BudgetLine.objects.create(
        unit=world.commune, fiscal_year=2024, source="central", original_amount=100_000_000
    )
    from duan8.finance.models import Estimate, EstimateLine, SpendingNorm

    norm = SpendingNorm.objects.create(
        scope=world.nation,
        code="hoc-vien",
        item="Học viên (định mức thử nghiệm)",
        measure="person_day",
        amount=150_000,
        kind="ceiling",
        valid_from=datetime.date(2023, 10, 1),
        legal_source="Test",
    )
    estimate = Estimate.objects.create(
        unit=world.commune, fiscal_year=2024, reference_date=datetime.date(2024, 1, 15)
    )
    estimate_line = EstimateLine.objects.create(
        estimate=estimate, activity="Tập huấn", norm=norm, quantity=10, unit_amount=150_000
    )
    from duan8.benefits import entitlements
    from tests import benefits_factories as benefits

    pack = benefits.package(world.nation)
    travel = benefits.travel_item(pack)
    lump = benefits.lump_item(pack)
    amounts = [
        benefits.travel_amount(travel, world.nation),
        benefits.lump_amount(lump, world.province),
    ]
    birth = benefits.birth(world.village, datetime.date(2025, 4, 10))
    proposed = entitlements.propose(birth, {travel.pk: 3})
    entitlements.approve(proposed[0])
    indicators = list(phase.indicators())
    return {
        "unit": list(AdminUnit.objects.values_list("pk", flat=True)),
        "phase": [phase.pk],
        "project": [phase.project_id],
        "area": sorted({i.content_area_id for i in indicators}),
        "indicator": [i.pk for i in indicators],
        "model": [world.team.pk],
        "activity": [world.dialogue.pk],
        "classification": [world.classification.pk],
        "entry": [world.area_entry.pk],
        "job": [job.pk],
        "trainer": [world.trainer.pk],
        "period": ["2024", "2024-H1", "2024-Q3", "2024-05", "2021-2025", "2025"],
        "year": [2024, 2025],
        "action": ["submit", "approve", "return", "reopen"],
        "line": [line.pk],
        "estimate": [estimate.pk],
        "norm": [norm.pk],
        "estimate_line": [estimate_line.pk],
        "report_form": _report_forms(world),
        "benefit_package": [pack.pk],
        "benefit_amount": [a.pk for a in amounts],
        "support_item": [travel.pk, lump.pk],
        "birth": [birth.pk],
        "entitlement": [e.pk for e in proposed],
        "mother": [birth.mother_id],
    }


def _report_forms(world) -> list[int]:
    """The nation's default form and a province's own, with a heading, an indicator and a
    subtotal, its columns periods."""
    from duan8.reportforms import actions
    from duan8.reportforms.models import ReportForm

    own = actions.save(
        ReportForm(scope=world.province, title="Biểu thử", columns="periods", cells=["value"]),
        rows=[
            {"kind": "heading", "code": "ND1"},
            {"kind": "indicator", "code": "TTCĐ"},
            {"kind": "subtotal"},
        ],
        columns=[{"period": "2023"}, {"period": "2024"}],
    )
    return [ReportForm.objects.get(builtin="du-an-8").pk, own.pk]


def _aim(values, records: dict[str, list], data) -> None:
    """Swap, now and then, a generated value that names a record for a record's own."""
    if isinstance(values, list):
        for item in values:
            _aim(item, records, data)
        return
    if not isinstance(values, dict):
        return
    for name, value in list(values.items()):
        kind = RECORD_FIELDS.get(name)
        if kind is None or not data.draw(st.integers(0, 3), label=f"aim {name}"):
            _aim(value, records, data)
            continue
        pick = st.sampled_from(records[kind])
        if isinstance(value, list):
            values[name] = [data.draw(pick) for _ in value]
        else:
            values[name] = data.draw(pick)


def _strategy(operation):
    modes = [operation.as_strategy(GenerationMode.POSITIVE)]
    if operation.body or any(True for _ in operation.iter_parameters()):
        modes.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(modes)


def _fuzz(operation, headers: dict, examples: int, records: dict, app) -> None:
    """Call the operation with ``examples`` generated requests sent with ``headers``."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation), data=st.data())
    def answers_as_described(case, data):
        _aim(case.path_parameters, records, data)
        _aim(case.query, records, data)
        _aim(case.body, records, data)
        language = data.draw(st.sampled_from(["vi", "en"]), label="language")
        # The persona's token, never one the generator made up (and none for no one).
        sent = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        case.headers = {**sent, **headers, "Accept-Language": language}
        with transaction.atomic():
            response = case.call(app=app)
        case.validate_response(response, checks=CHECKS)

    answers_as_described()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_every_operation_answers_as_described_whatever_it_is_sent(
    world, records, in_process, operation
):
    for persona, examples in EXAMPLES.items():
        headers = {"Authorization": f"Bearer {token(getattr(world, persona))}"} if persona else {}
        _fuzz(operation, headers, examples, records, in_process)


def test_the_fuzzer_reaches_every_operation():
    labels = {operation.label for operation in OPERATIONS}
    assert "PUT /api/v1/allocation" in labels and "POST /api/v1/imports" in labels
    assert len(labels) == len(OPERATIONS) >= 40
