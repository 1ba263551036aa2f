"""The API offers what the pages offer, and describes it: a walk of the OpenAPI description.

Every operation has an id, words that say what it does, examples for the body it takes (each
one a body the operation accepts) and a row in the access matrix (tests/test_access_matrix.py).
Every page (each non-API URL name) maps to the operations that do the same thing, or says why
it is a page only, or is listed as a capability still without an endpoint. A new page without
an entry fails here, and so does an entry that names an operation the API does not have.
"""

from __future__ import annotations

import pytest

from duan8.api import examples
from duan8.api.api import api
from tests.test_access_matrix import EXPECTATIONS, all_url_names

pytestmark = pytest.mark.django_db

# Why a page has no endpoint of its own: it is about the browser session, not about data.
PAGE_ONLY = {
    "accounts:signin": "signing in gives a session; the API is called with a token",
    "accounts:signin_code": "the second step of signing in to a session",
    "accounts:signout": "ends a browser session; a token is revoked instead",
    "accounts:two_factor": "two-step sign-in protects the session, not a token",
    "accounts:password_change": "a password is changed by its owner signed in, never by a token",
    "accounts:tokens": "tokens are issued on this page or with `duan8 token`; a token does "
    "not issue tokens",
    "accounts:token_revoke": "revoked on the tokens page or with `duan8 token --revoke`",
    "core:healthz": "a probe for the load balancer, no data",
    "geo:switch": "chooses the unit the pages show; every API request names its unit",
    "set_language": "the API takes the language of each request (Accept-Language)",
}

# Page capabilities with no endpoint yet: kept in sight here until the API offers them.
WITHOUT_ENDPOINT: dict[str, str] = {}

JOBS = ["api:import_create", "api:export_create", "api:job"]
# An import's template is an export of the list: the same columns (an empty list gives the
# header alone).
TEMPLATE = ["api:export_create", "api:job_file"]

# Each page and the operations that answer the same question or make the same change.
PAGE_OPERATIONS: dict[str, list[str]] = {
    "core:overview": ["api:me", "api:figures", "api:report", "api:audit"],
    "core:job": ["api:job"],
    "core:job_file": ["api:job_file"],
    "core:import_errors": ["api:job_errors"],
    "accounts:audit_log": ["api:audit"],
    "accounts:users": ["api:users"],
    "accounts:user": ["api:user", "api:user_update"],
    "accounts:user_create": ["api:user_create"],
    "accounts:user_password": ["api:user_password"],
    "accounts:membership_add": ["api:membership_add"],
    "accounts:membership_delete": ["api:membership_delete"],
    "accounts:blocks": ["api:sign_in_blocks"],
    "accounts:block_lift": ["api:sign_in_block_lift"],
    # Geography
    "geo:browse": ["api:units"],
    "geo:unit": ["api:unit", "api:unit_lineage", "api:unit_as_of"],
    "geo:unit_edit": ["api:unit_update"],
    "geo:unit_history": ["api:unit_history"],
    "geo:village_add": ["api:village_create", "api:villages"],
    "geo:village_review": ["api:village_review"],
    "geo:village_import": JOBS,
    "geo:village_export": JOBS,
    "geo:village_template": TEMPLATE,
    "geo:classification_add": ["api:classification_create", "api:classifications"],
    "geo:classification_delete": ["api:classification_delete"],
    "geo:classification_import": JOBS,
    "geo:classification_export": JOBS,
    "geo:classification_template": TEMPLATE,
    "geo:project_area": ["api:project_area"],
    "geo:project_area_add": ["api:project_area_add"],
    "geo:project_area_entry": ["api:project_area_entry"],
    "geo:project_area_propose": ["api:project_area_propose"],
    # Framework and targets
    "framework:browse": ["api:phases"],
    "framework:phase_add": ["api:phase_create"],
    "framework:content_area_add": ["api:content_area_create"],
    "framework:indicator": ["api:indicator"],
    "framework:indicator_add": ["api:indicator_create"],
    "framework:version_add": ["api:indicator_version_create"],
    "framework:targets": ["api:targets", "api:target_set", "api:figures"],
    "framework:allocate": ["api:allocation", "api:allocation_save"],
    "framework:allocate_export": ["api:allocation"],
    "framework:allocate_import": ["api:allocation_save"],
    "framework:allocate_template": ["api:allocation"],
    "analytics:dashboard": ["api:figures"],
    "analytics:dashboard_export": ["api:figures", "api:report_form_fill_xlsx"],
    # Registry and activities
    "community:mine": ["api:me", "api:models"],
    "community:list": ["api:models"],
    "community:detail": ["api:model"],
    "community:create": ["api:model_create"],
    "community:edit": ["api:model_update"],
    "community:import": JOBS,
    "community:export": JOBS,
    "community:template": TEMPLATE,
    "activities:mine": ["api:me", "api:activities"],
    "activities:list": ["api:activities"],
    "activities:detail": ["api:activity"],
    "activities:create": ["api:activity_create"],
    "activities:edit": ["api:activity_update"],
    "activities:import": JOBS,
    "activities:export": JOBS,
    "activities:template": TEMPLATE,
    "activities:attachment": ["api:attachment_file"],
    "activities:attachment_add": ["api:attachment_create"],
    "activities:trainers": ["api:trainers", "api:trainer", "api:trainer_create"],
    "activities:qualification_add": ["api:qualification_create"],
    "activities:appointment_add": [
        "api:appointments",
        "api:appointment",
        "api:appointment_create",
    ],
    # Reporting
    "reporting:cycle": ["api:report", "api:completeness"],
    "reporting:figures": ["api:typed_figures", "api:typed_figures_save"],
    "reporting:submission": ["api:report", "api:report_act", "api:report_compare"],
    "reporting:regimes": ["api:regimes"],
    "reporting:regime": ["api:regime", "api:regime_update"],
    "reporting:regime_add": ["api:regime_create"],
    "reportforms:list": ["api:report_forms"],
    "reportforms:create": ["api:report_form_create"],
    "reportforms:edit": ["api:report_form", "api:report_form_update"],
    "reportforms:fill": ["api:report_form_fill", "api:report_form_fill_xlsx"],
    "reportforms:download": ["api:report_form_fill_xlsx"],
    # Finance
    "finance:mine": ["api:me", "api:finance_summary"],
    "finance:unit": ["api:finance_summary", "api:budget_lines", "api:disbursements"],
    "finance:line_add": ["api:budget_line_create"],
    "finance:lines_import": JOBS,
    "finance:lines_export": JOBS,
    "finance:lines_template": TEMPLATE,
    "finance:disburse": ["api:disbursement_create", "api:disbursements"],
    "finance:disbursements_import": JOBS,
    "finance:disbursements_export": JOBS,
    "finance:disbursements_template": TEMPLATE,
    "finance:transfer": ["api:transfers", "api:transfer_create"],
    "finance:transfer_cancel": ["api:transfer_delete"],
    "finance:norms": ["api:finance_norms", "api:finance_norm_create"],
    "finance:norm": [
        "api:finance_norm",
        "api:finance_norm_versions",
        "api:finance_norm_change",
        "api:finance_norm_close",
    ],
    "finance:estimates": ["api:estimates", "api:estimate_create"],
    "finance:estimate": [
        "api:estimate",
        "api:estimate_line_create",
        "api:estimate_line_delete",
    ],
    "finance:estimate_approve": ["api:estimate_approve"],
    "finance:checkpoints": [
        "api:finance_checkpoints",
        "api:finance_checkpoint_set",
        "api:finance_checkpoint_delete",
    ],
    "finance:close": ["api:finance_close_proposal", "api:finance_close", "api:finance_reopen"],
    # Mothers, births and their support
    "maternal:mine": ["api:me", "api:mothers"],
    "maternal:mothers": ["api:mothers"],
    "maternal:mother": ["api:mother"],
    "maternal:mother_create": ["api:mother_create"],
    "maternal:births": ["api:births"],
    "maternal:birth": ["api:birth", "api:birth_decisions"],
    "maternal:birth_create": ["api:birth_create"],
    "maternal:birth_decide": ["api:birth_judge"],
    "maternal:import": ["api:births_import", "api:job"],
    "maternal:export": ["api:births_export", "api:job", "api:job_file"],
    "maternal:rule_sets": ["api:rule_sets"],
    "maternal:mother_edit": ["api:mother", "api:mother_update"],
    "maternal:birth_edit": ["api:birth", "api:birth_update"],
    "maternal:duplicates": ["api:duplicates", "api:duplicate_review"],
    "maternal:duplicate_review": ["api:duplicate_review"],
    "maternal:access_log": ["api:personal_data_log"],
    "maternal:rule_set_create": ["api:rule_set_create"],
    "maternal:template": ["api:births_template"],
    "benefits:mine": ["api:me", "api:entitlements"],
    "benefits:unit": ["api:entitlements", "api:benefit_payments"],
    "benefits:packages": [
        "api:benefit_packages",
        "api:benefit_package_create",
        "api:benefit_amounts",
        "api:benefit_amount_create",
        "api:benefit_amounts_in_force",
    ],
    "benefits:package": ["api:benefit_packages", "api:benefit_item_create"],
    "benefits:amount": [
        "api:benefit_amounts",
        "api:benefit_amount_change",
        "api:benefit_amount_close",
    ],
    "benefits:birth": ["api:birth_entitlements", "api:birth_entitlements_propose"],
    "benefits:entitlement": [
        "api:entitlements",
        "api:entitlement_approve",
        "api:entitlement_reject",
        "api:entitlement_pay",
    ],
    "benefits:payments_export": ["api:benefit_payments"],
    # Documents
    "documents:mine": ["api:me", "api:documents"],
    "documents:register": ["api:documents"],
    "documents:generate": ["api:document_generate"],
    "documents:document": ["api:document"],
    "documents:issue": ["api:document_issue"],
    "documents:docx": ["api:document_docx"],
    "documents:pdf": ["api:document_pdf"],
    "documents:delete": ["api:document_delete"],
    "documents:refresh": ["api:document_refresh"],
    "documents:letterhead": ["api:letterhead", "api:letterhead_update"],
    "documents:templates": ["api:document_templates", "api:document_template_upload"],
    "documents:template_file": ["api:document_template_file"],
    "documents:template_delete": ["api:document_template_delete"],
    "documents:default_template": ["api:document_default_template"],
}


@pytest.fixture(scope="module")
def description() -> dict:
    from django.test import Client

    return Client().get("/api/v1/openapi.json").json()


def _operations(description: dict) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, item in description["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


def _url_names() -> dict[str, str]:
    """The URL name (``api:…``) of every operation, by its operationId."""
    return {key: f"api:{name}" if name else "" for key, name in examples.url_names(api).items()}


def _has_examples(schema, components: dict, seen: frozenset = frozenset()) -> bool:
    if isinstance(schema, list):
        return any(_has_examples(item, components, seen) for item in schema)
    if not isinstance(schema, dict):
        return False
    if "example" in schema or "examples" in schema:
        return True
    reference = schema.get("$ref", "")
    if reference:
        name = reference.rsplit("/", 1)[-1]
        return name not in seen and _has_examples(components.get(name), components, seen | {name})
    return any(_has_examples(value, components, seen) for value in schema.values())


def _body_has_examples(operation: dict, components: dict) -> bool:
    content = operation["requestBody"].get("content", {})
    return bool(content) and all(
        "example" in media or "examples" in media or _has_examples(media.get("schema"), components)
        for media in content.values()
    )


def test_every_operation_has_an_id_and_words_that_say_what_it_does(description):
    ids = [operation.get("operationId") for _m, _p, operation in _operations(description)]
    assert all(ids), "operations without an operationId"
    assert len(ids) == len(set(ids)), "operationIds used twice"
    for method, path, operation in _operations(description):
        words = (operation.get("summary") or "") + (operation.get("description") or "")
        assert words.strip(), f"{method} {path}: no summary or description"


def test_every_operation_has_a_row_in_the_access_matrix(description):
    names = _url_names()
    for method, path, operation in _operations(description):
        name = names.get(operation["operationId"])
        assert name, f"{method} {path}: no URL name"
        assert name in EXPECTATIONS, f"{method} {path} ({name}): not in the access matrix"


def test_every_request_body_has_examples(description):
    names = _url_names()
    components = description.get("components", {}).get("schemas", {})
    missing = sorted(
        f"{method} {path} ({names[operation['operationId']]})"
        for method, path, operation in _operations(description)
        if "requestBody" in operation and not _body_has_examples(operation, components)
    )
    assert not missing, f"request bodies without examples (duan8/api/examples.py): {missing}"


def _operation_named(name: str):
    for bound in api._get_bound_routers():
        for view in bound.template.path_operations.values():
            for operation in view.operations:
                if operation.url_name == name:
                    return operation
    return None


@pytest.mark.parametrize("name", sorted(examples.EXAMPLES))
def test_every_example_is_a_body_its_operation_takes(name):
    operation = _operation_named(name)
    assert operation is not None, f"an example for {name}, which is no operation"
    example = examples.EXAMPLES[name]
    sources = {model.__ninja_param_source__: model for model in operation.models}
    assert {"body", "form", "file"} & sources.keys(), f"{name} takes no body"
    if "body" in sources:
        model = sources["body"]
        fields = list(model.model_fields)
        model.model_validate({fields[0]: example} if len(fields) == 1 else example)
    if "form" in sources:
        model = sources["form"]
        model.model_validate({k: v for k, v in example.items() if k in model.model_fields})
    if "file" in sources:
        assert set(sources["file"].model_fields) <= example.keys(), f"{name}: its file"


def test_every_page_has_its_endpoint_or_says_why_not(description):
    pages = {name for name in all_url_names() if not name.startswith("api:")}
    listed = PAGE_OPERATIONS.keys() | PAGE_ONLY.keys() | WITHOUT_ENDPOINT.keys()
    assert not (PAGE_OPERATIONS.keys() & PAGE_ONLY.keys()), "a page mapped and page-only"
    assert not (PAGE_OPERATIONS.keys() & WITHOUT_ENDPOINT.keys()), "a page mapped and missing"
    assert not (PAGE_ONLY.keys() & WITHOUT_ENDPOINT.keys()), "a page page-only and missing"
    unlisted = sorted(pages - listed)
    assert not unlisted, f"pages without an entry in tests/test_api_coverage.py: {unlisted}"
    stale = sorted(listed - pages)
    assert not stale, f"entries for pages that no longer exist: {stale}"


def test_every_operation_the_table_names_exists(description):
    names = _url_names()
    described = {names.get(op["operationId"]) for _m, _p, op in _operations(description)}
    for page, operations in PAGE_OPERATIONS.items():
        assert operations, page
        unknown = sorted(set(operations) - described)
        assert not unknown, f"{page}: no such operation in the OpenAPI description: {unknown}"
