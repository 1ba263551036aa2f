"""Support-package endpoints: packages, items and amount versions (read by everyone signed in,
set by national or province administrators), a birth's entitlements by the amounts in force on
its date ("configured": false where none is), proposing them, the payment steps, and the
payment list (personal fields only with the permission to export personal data, logged).
Every write goes through the functions the pages use, under the pages' access checks."""

import datetime

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from duan8.analytics import reading
from duan8.api.common import (
    PERIOD_PATTERN,
    VERSION_HELP,
    Id,
    Pagination,
    expect_version,
    parse_period,
)
from duan8.api.errors import answers
from duan8.api.schemas import InputSchema, Message
from duan8.benefits import amounts, entitlements
from duan8.benefits.models import (
    MAX_AMOUNT,
    MAX_COUNT,
    Counting,
    Entitlement,
    EntitlementState,
    ItemAmount,
    SupportItem,
    SupportPackage,
)
from duan8.core import access, versions
from duan8.finance.models import BudgetLine
from duan8.maternal import privacy
from duan8.maternal.models import Birth

router = Router(tags=["benefits"])

Money = Field(ge=1, le=MAX_AMOUNT, description="Whole đồng.")


# Packages, items, amounts -----------------------------------------------------------------


class ItemOut(Schema):
    id: int
    package_id: int
    code: str
    name: str
    counting: str = Field(description="per_occasion (up to a number) or per_birth.")
    occasion: str = Field(description="What is counted, for an amount per occasion.")
    excludes_insurance: bool = Field(description="Services paid by health insurance excluded.")
    order: int
    notes: str


class PackageOut(Schema):
    id: int
    scope_id: int = Field(description="The nation's unit, or a province for its own package.")
    scope_name: str
    code: str
    name: str
    document: str
    order: int
    notes: str
    items: list[ItemOut]

    @staticmethod
    def resolve_scope_name(obj) -> str:
        return obj.scope.name

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())


class PackageIn(InputSchema):
    scope: Id = Field(description="The nation's unit (national administrators) or a province.")
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=300)
    document: str = Field(min_length=1, max_length=300)
    order: int = Field(0, ge=0, le=1000)
    notes: str = Field("", max_length=300)


class ItemIn(InputSchema):
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=300)
    counting: Counting
    occasion: str = Field("", max_length=100)
    excludes_insurance: bool = True
    order: int = Field(0, ge=0, le=1000)
    notes: str = Field("", max_length=300)


class AmountOut(Schema):
    id: int
    support_item_id: int
    scope_id: int
    scope_name: str
    amount: int = Field(description="Per occasion, or per birth (a normal delivery).")
    amount_caesarean: int | None = Field(description="Per birth by caesarean, when set.")
    max_count: int | None = Field(description="Occasions paid at most (per occasion).")
    valid_from: datetime.date = Field(description="For births from this day.")
    valid_until: datetime.date | None = Field(description="First birth date it no longer applies.")
    document: str
    notes: str
    previous_id: int | None = Field(description="The version this one replaced.")
    version: int = Field(description=VERSION_HELP)

    @staticmethod
    def resolve_support_item_id(obj) -> int:
        return obj.item_id

    @staticmethod
    def resolve_scope_name(obj) -> str:
        return obj.scope.name

    @staticmethod
    def resolve_version(obj) -> int:
        return versions.of_listed(obj)


class AmountIn(InputSchema):
    support_item: Id
    scope: Id = Field(description="The nation's unit or a province.")
    amount: int = Money
    amount_caesarean: int | None = Field(None, ge=1, le=MAX_AMOUNT)
    max_count: int | None = Field(None, ge=1, le=MAX_COUNT)
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    document: str = Field(min_length=1, max_length=300)
    notes: str = Field("", max_length=300)


class AmountChangeIn(InputSchema):
    version: int | None = Field(None, ge=0, description=VERSION_HELP)
    valid_from: datetime.date = Field(description="The new version applies to births from.")
    amount: int | None = Field(None, ge=1, le=MAX_AMOUNT)
    amount_caesarean: int | None = Field(None, ge=1, le=MAX_AMOUNT)
    max_count: int | None = Field(None, ge=1, le=MAX_COUNT)
    document: str | None = Field(None, min_length=1, max_length=300)


class AmountCloseIn(InputSchema):
    version: int | None = Field(None, ge=0, description=VERSION_HELP)
    valid_until: datetime.date


class AmountsQuery(Schema):
    support_item: Id | None = None


class InForceQuery(Schema):
    unit: Id
    on: datetime.date | None = Field(None, description="The birth date (default: today).")


class InForceOut(Schema):
    support_item_id: int
    support_item_name: str
    package_id: int
    counting: str
    configured: bool = Field(description="False: no amount in force (not configured).")
    amount: AmountOut | None


@router.get(
    "/benefits/packages", response=answers(list[PackageOut], 422), url_name="benefit_packages"
)
@paginate(Pagination)
def package_list(request):
    """The packages one reads (the nation's and those of the provinces one works in), with
    their items."""
    return (
        amounts.readable_packages(request.auth)
        .select_related("scope")
        .prefetch_related("items")
        .order_by("scope__depth", "scope__name", "order", "code", "pk")
    )


@router.post(
    "/benefits/packages",
    response=answers({201: PackageOut}, 403, 404, 422),
    url_name="benefit_package_create",
)
def package_create(request, payload: PackageIn):
    """Add a package as its document names it: national administrators for the nation, a
    province's administrators for their province."""
    data = payload.dict()
    scope = amounts.get_scope_or_404(request.auth, data.pop("scope"))
    return Status(201, amounts.save(SupportPackage(scope=scope, **data)))


@router.post(
    "/benefits/packages/{package_id}/items",
    response=answers({201: ItemOut}, 403, 404, 422),
    url_name="benefit_item_create",
)
def item_create(request, package_id: Id, payload: ItemIn):
    """Add an item to a package (its scope's administrators)."""
    package = amounts.get_package_or_404(request.auth, package_id, change=True)
    return Status(201, amounts.save(SupportItem(package=package, **payload.dict())))


@router.get(
    "/benefits/amounts", response=answers(list[AmountOut], 404, 422), url_name="benefit_amounts"
)
@paginate(Pagination)
def amount_list(request, query: Query[AmountsQuery]):
    """Every amount version one reads (of an item, when given), each with its ``version``."""
    rows = amounts.readable_amounts(request.auth).select_related("scope")
    if query.support_item is not None:
        item = amounts.get_item_or_404(request.auth, query.support_item)
        rows = rows.filter(item=item)
    return versions.annotate(rows.order_by("item_id", "scope__depth", "-valid_from", "pk"))


@router.get(
    "/benefits/amounts/in-force",
    response=answers(list[InForceOut], 404, 422),
    url_name="benefit_amounts_in_force",
)
def amounts_in_force(request, query: Query[InForceQuery]):
    """Every item reaching a unit's province, with the amount in force on a day (the
    province's own, else the nation's) — or ``configured: false``, never a guess."""
    unit = access.get_unit_or_404(request.auth, query.unit)
    day = query.on or timezone.localdate()
    provinces = amounts.provinces_of(unit, day)
    items = SupportItem.objects.filter(package__in=amounts.packages_for(provinces))
    found = []
    for item in items.order_by("package__scope__depth", "package__order", "order", "pk"):
        version = amounts.amount_in_force(item, provinces, day)
        found.append(
            {
                "support_item_id": item.pk,
                "support_item_name": item.name,
                "package_id": item.package_id,
                "counting": item.counting,
                "configured": version is not None,
                "amount": versions.attach([version])[0] if version is not None else None,
            }
        )
    return found


@router.post(
    "/benefits/amounts",
    response=answers({201: AmountOut}, 403, 404, 422),
    url_name="benefit_amount_create",
)
def amount_create(request, payload: AmountIn):
    """Set an item's amount for the nation (national administrators) or a province (its
    administrators), from a day, with its document. Two amounts of an item on the same days
    in one scope are refused: change or close the one in force instead."""
    data = payload.dict()
    item = amounts.get_item_or_404(request.auth, data.pop("support_item"))
    scope = amounts.get_amount_scope_or_404(request.auth, item.package, data.pop("scope"))
    return Status(201, amounts.save(ItemAmount(item=item, scope=scope, **data)))


@router.post(
    "/benefits/amounts/{amount_id}/change",
    response=answers({201: AmountOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="benefit_amount_change",
)
def amount_change(request, amount_id: Id, payload: AmountChangeIn):
    """Change an amount from a day: a new version (the figures left out keep the old
    version's), the old one closed the day before; entitlements computed earlier keep the
    version they used. Send the ``version`` you read."""
    found = amounts.get_amount_or_404(request.auth, amount_id, change=True)
    sent = expect_version(request, found, payload)
    valid_from = sent.pop("valid_from")
    changes = {name: value for name, value in sent.items() if value is not None}
    return Status(201, amounts.change_amount(found, valid_from, **changes))


@router.post(
    "/benefits/amounts/{amount_id}/close",
    response=answers({200: AmountOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="benefit_amount_close",
)
def amount_close(request, amount_id: Id, payload: AmountCloseIn):
    """Close an amount: it no longer applies to births from ``valid_until`` (refused before a
    birth whose entitlement uses it). Send the ``version`` you read."""
    found = amounts.get_amount_or_404(request.auth, amount_id, change=True)
    expect_version(request, found, payload)
    return amounts.close_amount(found, payload.valid_until)


# Entitlements --------------------------------------------------------------------------------


class EntitlementOut(Schema):
    id: int
    birth_id: int
    unit_id: int = Field(description="The birth's village.")
    mother_id: int
    support_item_id: int
    support_item_name: str
    amount_version_id: int
    count_reported: int | None = Field(description="Occasions reported (per occasion).")
    count: int | None = Field(description="Occasions paid: at most the amount's maximum.")
    unit_amount: int = Field(description="Per occasion, or for the birth's delivery (đồng).")
    amount: int = Field(description="Whole đồng.")
    state: str = Field(description="proposed, approved, paid or rejected.")
    approved_on: datetime.date | None
    paid_on: datetime.date | None
    payer: str
    voucher: str
    budget_line_id: int | None
    disbursement_id: int | None
    reject_reason: str

    @staticmethod
    def resolve_unit_id(obj) -> int:
        return obj.birth.unit_id

    @staticmethod
    def resolve_mother_id(obj) -> int:
        return obj.birth.mother_id

    @staticmethod
    def resolve_support_item_id(obj) -> int:
        return obj.item_id

    @staticmethod
    def resolve_support_item_name(obj) -> str:
        return obj.item.name


class ItemLineOut(Schema):
    support_item_id: int
    support_item_name: str
    package_id: int
    configured: bool = Field(description="False: no amount in force on the birth's date.")
    amount_id: int | None
    unit_amount: int | None
    max_count: int | None
    count: int | None
    total: int | None = Field(description="What would be (or was) proposed, in đồng.")
    entitlement_id: int | None
    state: str | None


class BirthEntitlementsOut(Schema):
    birth_id: int
    eligible: bool = Field(description="Whether the latest eligibility decision is met.")
    decision_id: int | None
    province_id: int | None
    items: list[ItemLineOut]


class CountIn(InputSchema):
    support_item: Id
    count: int = Field(ge=0, le=MAX_COUNT)


class EntitlementsProposeIn(InputSchema):
    counts: list[CountIn] = Field(
        default_factory=list,
        max_length=100,
        description="Occasions of each counted item (antenatal visits made).",
    )


class EntitlementsQuery(Schema):
    unit: Id
    period: str = Field(pattern=PERIOD_PATTERN, description="2025, 2025-H1, 2025-Q3, 2025-05…")
    state: EntitlementState | None = None
    on: datetime.date | None = Field(None, description="Tree date (default: the period's end).")


class RejectIn(InputSchema):
    reason: str = Field(min_length=1, max_length=300)


class PayIn(InputSchema):
    paid_on: datetime.date
    payer: str = Field(min_length=1, max_length=120)
    voucher: str = Field(min_length=1, max_length=100)
    line: Id | None = Field(
        None,
        description="A budget line of the birth's commune or a unit above it, of the "
        "payment's year: the disbursement is recorded on it (its editors).",
    )


def _birth_or_404(user, pk, action=access.Action.VIEW) -> Birth:
    return access.get_or_404(user, Birth.objects.select_related("unit", "mother"), action, pk=pk)


def _entitlement_or_404(user, pk, action) -> Entitlement:
    return access.get_or_404(
        user,
        Entitlement.objects.select_related("birth__unit", "birth__mother", "item"),
        action,
        unit_of=lambda e: e.birth.unit,
        pk=pk,
    )


def _line_out(line) -> dict:
    return {
        "support_item_id": line.item.pk,
        "support_item_name": line.item.name,
        "package_id": line.item.package_id,
        "configured": line.configured,
        "amount_id": line.version.pk if line.version is not None else None,
        "unit_amount": line.unit_amount,
        "max_count": line.version.max_count if line.version is not None else None,
        "count": line.count,
        "total": line.total,
        "entitlement_id": line.existing.pk if line.existing is not None else None,
        "state": line.existing.state if line.existing is not None else None,
    }


@router.get(
    "/benefits/births/{birth_id}/entitlements",
    response=answers(BirthEntitlementsOut, 404, 422),
    url_name="birth_entitlements",
)
def birth_entitlements(request, birth_id: Id):
    """Every item reaching the birth's province with the amount in force on its date
    (``configured: false`` where none is) and the entitlement stored for it, if any."""
    found = entitlements.preview(_birth_or_404(request.auth, birth_id))
    return {
        "birth_id": found.birth.pk,
        "eligible": found.eligible,
        "decision_id": found.decision.pk if found.decision is not None else None,
        "province_id": found.province.pk if found.province is not None else None,
        "items": [_line_out(line) for line in found.lines],
    }


@router.post(
    "/benefits/births/{birth_id}/entitlements",
    response=answers({201: list[EntitlementOut]}, 403, 404, 422),
    url_name="birth_entitlements_propose",
)
def birth_entitlements_propose(request, birth_id: Id, payload: EntitlementsProposeIn):
    """Propose the entitlements of an eligible birth (its unit's editors): every configured
    item not yet proposed; a counted item with its occasions, paid up to the maximum."""
    birth = _birth_or_404(request.auth, birth_id, access.Action.EDIT)
    counts = {entry.support_item: entry.count for entry in payload.counts}
    return Status(201, entitlements.propose(birth, counts))


@router.get(
    "/benefits/entitlements",
    response=answers(list[EntitlementOut], 404, 422),
    url_name="entitlements",
)
@paginate(Pagination)
def entitlement_list(request, query: Query[EntitlementsQuery]):
    """The entitlements of the births counted under a unit: paid ones in the period by their
    payment date, the others whatever their date."""
    unit = access.get_unit_or_404(request.auth, query.unit)
    period = parse_period(query.period)
    day = reading.records_day(unit, period, query.on)
    rows = entitlements.entitlements_of(request.auth, unit, day)
    if query.state:
        rows = rows.filter(state=query.state)
    rows = rows.exclude(state=EntitlementState.PAID, paid_on__lt=period.start).exclude(
        state=EntitlementState.PAID, paid_on__gte=period.end
    )
    return rows.order_by("birth__unit__path", "-birth__date", "birth", "pk")


@router.post(
    "/benefits/entitlements/{entitlement_id}/approve",
    response=answers(EntitlementOut, 403, 404, 422),
    url_name="entitlement_approve",
)
def entitlement_approve(request, entitlement_id: Id):
    """Approve a proposed entitlement (the unit's approvers)."""
    found = _entitlement_or_404(request.auth, entitlement_id, access.Action.APPROVE)
    return entitlements.approve(found)


@router.post(
    "/benefits/entitlements/{entitlement_id}/reject",
    response=answers(EntitlementOut, 403, 404, 422),
    url_name="entitlement_reject",
)
def entitlement_reject(request, entitlement_id: Id, payload: RejectIn):
    """Reject a proposed or approved entitlement, with the reason (the unit's approvers)."""
    found = _entitlement_or_404(request.auth, entitlement_id, access.Action.APPROVE)
    return entitlements.reject(found, payload.reason)


@router.post(
    "/benefits/entitlements/{entitlement_id}/pay",
    response=answers(EntitlementOut, 403, 404, 422),
    url_name="entitlement_pay",
)
def entitlement_pay(request, entitlement_id: Id, payload: PayIn):
    """Record the payment of an approved entitlement (the unit's editors). From a budget line,
    the disbursement is recorded on it in the same transaction; more than the line still has
    is refused with the amount available, and nothing is stored."""
    found = _entitlement_or_404(request.auth, entitlement_id, access.Action.EDIT)
    line = None
    if payload.line is not None:
        line = access.get_or_404(
            request.auth,
            BudgetLine.objects.select_related("unit"),
            access.Action.EDIT,
            pk=payload.line,
        )
    return entitlements.pay(
        found, paid_on=payload.paid_on, payer=payload.payer, voucher=payload.voucher, line=line
    )


# The payment list -------------------------------------------------------------------------


class PaymentsQuery(Schema):
    unit: Id
    period: str = Field(pattern=PERIOD_PATTERN, description="2025, 2025-H1, 2025-Q3, 2025-05…")
    state: EntitlementState | None = Field(
        None, description="approved (awaiting payment) or paid (in the period); both if left out."
    )
    purpose: str = Field("", max_length=300, description="Why the list is read (logged).")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=2**31)


class PaymentOut(EntitlementOut):
    mother_name: str
    ethnic_group: str
    village_name: str
    commune_name: str
    birth_date: datetime.date
    delivery: str
    citizen_id: str | None = Field(description="Only with the permission to export personal data.")
    phone: str | None = Field(description="Only with the permission to export personal data.")
    mother_birth_date: datetime.date | None = Field(
        description="Only with the permission to export personal data."
    )

    @staticmethod
    def resolve_mother_name(obj) -> str:
        return obj.birth.mother.full_name

    @staticmethod
    def resolve_ethnic_group(obj) -> str:
        return obj.birth.mother.ethnic_group.name

    @staticmethod
    def resolve_village_name(obj) -> str:
        return obj.birth.unit.name

    @staticmethod
    def resolve_commune_name(obj) -> str:
        return obj.birth.unit.parent.name if obj.birth.unit.parent_id else ""

    @staticmethod
    def resolve_birth_date(obj) -> datetime.date:
        return obj.birth.date

    @staticmethod
    def resolve_delivery(obj) -> str:
        return obj.birth.delivery

    @staticmethod
    def resolve_citizen_id(obj) -> str | None:
        return obj.birth.mother.citizen_id if obj.personal else None

    @staticmethod
    def resolve_phone(obj) -> str | None:
        return obj.birth.mother.phone if obj.personal else None

    @staticmethod
    def resolve_mother_birth_date(obj) -> datetime.date | None:
        return obj.birth.mother.birth_date if obj.personal else None


class PaymentListOut(Schema):
    count: int
    personal: bool = Field(description="Whether personal fields are given (and the read logged).")
    total: int = Field(description="Sum of the amounts of the whole list (đồng).")
    items: list[PaymentOut]


@router.get(
    "/benefits/payments", response=answers(PaymentListOut, 404, 422), url_name="benefit_payments"
)
def payment_list(request, query: Query[PaymentsQuery]):
    """The payment list (danh sách chi trả) of a unit for a period: entitlements paid in the
    period and those approved awaiting payment. Citizen ID, phone and the mother's date of
    birth only for those who may export personal data; such a read is logged with its
    ``purpose``."""
    user = request.auth
    unit = access.get_unit_or_404(user, query.unit)
    period = parse_period(query.period)
    day = reading.records_day(unit, period, None)
    rows = entitlements.payment_list(user, unit, period, day, query.state)
    count = rows.count()
    total = sum(rows.values_list("amount", flat=True))
    page = list(rows[query.offset : query.offset + query.limit])
    personal = access.may_export_personal_data(user, unit)
    for row in page:
        row.personal = personal
    if personal and page:
        privacy.record_access(
            user,
            unit,
            "api",
            purpose=query.purpose,
            count=len({row.birth.mother_id for row in page}),
        )
    return {
        "count": count,
        "personal": personal,
        "total": total,
        "items": page,
    }
