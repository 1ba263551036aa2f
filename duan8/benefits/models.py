"""The four safe-birth and child-health support packages as data, what an eligible birth is
entitled to, and its payment.

* ``SupportPackage`` (gói hỗ trợ) and ``SupportItem`` (khoản hỗ trợ): typed by administrators
  with their document. What each of the four packages holds is not confirmed by the project's
  sources: nothing is shipped, nothing is invented.
* ``ItemAmount`` (mức hỗ trợ): the amount of an item for the nation or a province, from a day
  until a day, with its document. A change from a day is a new version; entitlements computed
  earlier keep the version they used. An item without an amount in force for a birth's
  province on the birth's date is not configured: shown so, never guessed.
* ``Entitlement`` (chế độ được hưởng): one item for one eligible birth, with the amount version
  used and the amount, proposed → approved → paid (or rejected with a reason). Paying from a
  budget line records the disbursement on it.

Amounts are whole đồng.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel
from duan8.core.formatting import format_number

# Amounts beyond this (a hundred thousand billion đồng) are typing mistakes.
MAX_AMOUNT = 10**14
MAX_COUNT = 100


def _scope_error(scope) -> str | None:
    if scope.parent_id is not None and scope.kind != "province":
        return gettext("Set for the nation or for a province.")
    return None


class SupportPackage(AuditedModel):
    """A support package (gói hỗ trợ) as its document names it, for the nation or a
    province."""

    scope = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="support_packages",
        verbose_name=_("applies in"),
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=300)
    document = models.CharField(
        _("document"),
        max_length=300,
        help_text=_("The document that sets it: number, date, issuer and article."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("support package")
        ordering = ["scope__depth", "order", "code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "code"], name="benefits_package_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def audit_unit(self):
        return self.scope

    def clean(self) -> None:
        self.code = (self.code or "").strip()
        if self.scope_id and (problem := _scope_error(self.scope)):
            raise ValidationError({"scope": problem})


class Counting(models.TextChoices):
    PER_OCCASION = "per_occasion", _("per occasion, up to a number of occasions")
    PER_BIRTH = "per_birth", _("lump sum per birth (by kind of delivery when set)")


class SupportItem(AuditedModel):
    """An item of a package (khoản hỗ trợ) and how its amount is counted."""

    package = models.ForeignKey(
        SupportPackage, on_delete=models.PROTECT, related_name="items", verbose_name=_("package")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=300)
    counting = models.CharField(_("counted"), max_length=12, choices=Counting.choices)
    occasion = models.CharField(
        _("what is counted"),
        max_length=100,
        blank=True,
        help_text=_("For an amount per occasion: the occasion, e.g. antenatal visit."),
    )
    excludes_insurance = models.BooleanField(
        _("excludes services paid by health insurance"), default=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("support item")
        ordering = ["package", "order", "code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["package", "code"], name="benefits_item_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def audit_unit(self):
        return self.package.scope

    @property
    def per_occasion(self) -> bool:
        return self.counting == Counting.PER_OCCASION

    def clean(self) -> None:
        self.code = (self.code or "").strip()
        if self.counting == Counting.PER_OCCASION and not (self.occasion or "").strip():
            raise ValidationError(
                {"occasion": gettext("Say what is counted, e.g. antenatal visit.")}
            )


class ItemAmount(AuditedModel):
    """The amount of an item (mức hỗ trợ) for the nation or a province, on the days in
    [valid_from, valid_until), with the document that sets it. In a province its own amount
    applies instead of the nation's."""

    item = models.ForeignKey(
        SupportItem, on_delete=models.PROTECT, related_name="amounts", verbose_name=_("item")
    )
    scope = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="support_amounts",
        verbose_name=_("applies in"),
    )
    amount = models.PositiveBigIntegerField(
        _("amount (đồng)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_AMOUNT)],
        help_text=_(
            "Per occasion, or per birth (a normal delivery when a caesarean amount is set)."
        ),
    )
    amount_caesarean = models.PositiveBigIntegerField(
        _("amount for a caesarean delivery (đồng)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_AMOUNT)],
        help_text=_("Empty: the same amount for every delivery."),
    )
    max_count = models.PositiveSmallIntegerField(
        _("at most (occasions)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_COUNT)],
    )
    valid_from = models.DateField(_("for births from"))
    valid_until = models.DateField(_("until (excluded)"), null=True, blank=True)
    document = models.CharField(
        _("document"),
        max_length=300,
        help_text=_("The document that sets it: number, date, issuer and article."),
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
        editable=False,
        verbose_name=_("previous version"),
    )

    class Meta:
        verbose_name = _("support amount")
        ordering = ["item", "scope__depth", "-valid_from"]
        indexes = [models.Index(fields=["item", "scope"], name="benefits_amount_item_scope")]

    def __str__(self) -> str:
        return f"{self.item.name}: {format_number(self.amount)} đồng ({self.document})"

    def audit_unit(self):
        return self.scope

    def in_force_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)

    def unit_amount(self, delivery: str) -> int:
        """The amount per occasion, or for a birth of this kind of delivery."""
        if delivery == "caesarean" and self.amount_caesarean is not None:
            return self.amount_caesarean
        return self.amount

    FIXED = ("item_id", "scope_id", "amount", "amount_caesarean", "max_count", "valid_from")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.valid_until and self.valid_from and self.valid_until <= self.valid_from:
            errors["valid_until"] = gettext("The end must be after the start.")
        if self.scope_id and (problem := _scope_error(self.scope)):
            errors["scope"] = problem
        if self.item_id and self.scope_id and "scope" not in errors:
            from duan8.benefits.amounts import continues

            package_scope = self.item.package.scope
            if package_scope.parent_id is not None and not continues(self.scope, package_scope):
                errors["scope"] = gettext(
                    "This package is %(scope)s's own: its amounts are set there."
                ) % {"scope": package_scope.name}
        if self.item_id:
            if self.item.per_occasion:
                if self.max_count is None:
                    errors["max_count"] = gettext("Give the number of occasions paid at most.")
                if self.amount_caesarean is not None:
                    errors["amount_caesarean"] = gettext(
                        "An amount per occasion does not depend on the delivery."
                    )
            elif self.max_count is not None:
                errors["max_count"] = gettext("A lump sum per birth has no number of occasions.")
        if self.pk is not None:
            used = Entitlement.objects.filter(amount_version_id=self.pk)
            if used.exists():
                before = ItemAmount.objects.get(pk=self.pk)
                if any(getattr(before, name) != getattr(self, name) for name in self.FIXED):
                    errors.setdefault(
                        "amount",
                        gettext(
                            "Entitlements already use this amount: change it from a date as a "
                            "new version."
                        ),
                    )
                elif self.valid_until and used.filter(birth__date__gte=self.valid_until).exists():
                    errors["valid_until"] = gettext(
                        "Entitlements of births on or after that day use this amount."
                    )
        if self.item_id and self.scope_id and self.valid_from and "scope" not in errors:
            overlapping = ItemAmount.objects.filter(
                item_id=self.item_id, scope_id=self.scope_id
            ).exclude(pk=self.pk)
            if self.valid_until:
                overlapping = overlapping.filter(valid_from__lt=self.valid_until)
            overlapping = overlapping.filter(
                Q(valid_until__isnull=True) | Q(valid_until__gt=self.valid_from)
            )
            if overlapping.exists():
                errors.setdefault(
                    "valid_from",
                    gettext(
                        "An amount of this item is already in force here on these days; close "
                        "it or change it from a date."
                    ),
                )
        if errors:
            raise ValidationError(errors)


class EntitlementState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class Entitlement(AuditedModel):
    """What an eligible birth is entitled to for one item (chế độ được hưởng): the amount
    version in force for the birth's province on its date, the number of occasions (capped),
    the amount, and the payment."""

    birth = models.ForeignKey(
        "maternal.Birth",
        on_delete=models.PROTECT,
        related_name="entitlements",
        verbose_name=_("birth"),
    )
    decision = models.ForeignKey(
        "maternal.Decision",
        on_delete=models.PROTECT,
        related_name="entitlements",
        verbose_name=_("eligibility decision"),
    )
    item = models.ForeignKey(
        SupportItem, on_delete=models.PROTECT, related_name="entitlements", verbose_name=_("item")
    )
    amount_version = models.ForeignKey(
        ItemAmount,
        on_delete=models.PROTECT,
        related_name="entitlements",
        verbose_name=_("amount version"),
    )
    count_reported = models.PositiveSmallIntegerField(
        _("occasions reported"), null=True, blank=True
    )
    count = models.PositiveSmallIntegerField(_("occasions paid"), null=True, blank=True)
    unit_amount = models.PositiveBigIntegerField(_("unit amount (đồng)"))
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=EntitlementState.choices,
        default=EntitlementState.PROPOSED,
        editable=False,
    )
    approved_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True, editable=False)
    paid_on = models.DateField(_("paid on"), null=True, blank=True, editable=False)
    payer = models.CharField(_("paid by"), max_length=120, blank=True, editable=False)
    voucher = models.CharField(_("voucher reference"), max_length=100, blank=True, editable=False)
    budget_line = models.ForeignKey(
        "finance.BudgetLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entitlements",
        editable=False,
        verbose_name=_("paid from budget line"),
    )
    disbursement = models.OneToOneField(
        "finance.Disbursement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entitlement",
        editable=False,
        verbose_name=_("disbursement"),
    )
    reject_reason = models.CharField(
        _("reason for rejection"), max_length=300, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("entitlement")
        ordering = ["-birth__date", "birth", "item__package__order", "item__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["birth", "item"],
                condition=~Q(state="rejected"),
                name="benefits_one_entitlement_per_item",
            ),
        ]
        indexes = [models.Index(fields=["paid_on", "state"], name="benefits_entitlement_paid")]

    def __str__(self) -> str:
        return f"{self.birth} · {self.item.name}: {format_number(self.amount)} đồng"

    def audit_unit(self):
        return self.birth.unit

    def lock_spans(self):
        from duan8.core.locks import day_span

        return day_span(self.paid_on)
