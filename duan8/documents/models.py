"""Official documents written from the data (Decree 30/2020/NĐ-CP layout) and their register.

A document starts as a draft generated from the records (its tables kept as data, its text
sections typed by the officer), is issued with the next number of its issuer, kind and year,
and is then kept with its Word file (and PDF) in the register. The records it decided
(targets, budget lines, appointment decisions, report submissions) point to it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel


class Kind(models.TextChoices):
    REPORT = "report", _("Report (six-month or annual)")
    PLAN = "plan", _("Year plan")
    NOTICE = "notice", _("Allocation notice")
    DECISION = "decision", _("Trainer appointment decision")


# The type code in a number (32/TB-BTV) and the kind's name at the top of the document
# (Decree 30/2020/NĐ-CP, Appendix III).
TYPE_CODES = {Kind.REPORT: "BC", Kind.PLAN: "KH", Kind.NOTICE: "TB", Kind.DECISION: "QĐ"}
KIND_NAMES = {
    Kind.REPORT: "BÁO CÁO",
    Kind.PLAN: "KẾ HOẠCH",
    Kind.NOTICE: "THÔNG BÁO",
    Kind.DECISION: "QUYẾT ĐỊNH",
}


class Letterhead(AuditedModel):
    """How a unit signs its documents: the issuing body and its parent, the code in its
    numbers, the place, the signer and the usual recipients. Set by the unit's
    administrators; nothing of it is written in code."""

    unit = models.OneToOneField(
        "geo.AdminUnit", on_delete=models.CASCADE, related_name="letterhead", verbose_name=_("unit")
    )
    parent_body = models.CharField(
        _("parent body"),
        max_length=200,
        blank=True,
        help_text=_("First line of the header, in capitals (e.g. HỘI LHPN TỈNH LAI CHÂU)."),
    )
    issuing_body = models.CharField(
        _("issuing body"),
        max_length=200,
        help_text=_("Second line, bold, in capitals (e.g. BAN THƯỜNG VỤ)."),
    )
    name_in_text = models.CharField(
        _("name in the text"),
        max_length=300,
        blank=True,
        help_text=_("How the body names the issuer (e.g. Ban Thường vụ Hội LHPN tỉnh Lai Châu)."),
    )
    issuer_code = models.CharField(
        _("issuer code"),
        max_length=30,
        help_text=_("Written after the type code in the number (BTV in 32/TB-BTV)."),
    )
    place = models.CharField(_("place"), max_length=100, help_text=_("e.g. Lai Châu"))
    show_motto = models.BooleanField(
        _("national motto"),
        default=True,
        help_text=_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc."),
    )
    signer_authority = models.CharField(
        _("signing authority"),
        max_length=200,
        blank=True,
        help_text=_("e.g. TM. BAN THƯỜNG VỤ; several lines separated by “/”."),
    )
    signer_title = models.CharField(_("signer's title"), max_length=150, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=150, blank=True)
    recipients = models.TextField(
        _("usual recipients"), blank=True, help_text=_("One a line; the last one “Lưu: VT.”.")
    )

    class Meta:
        verbose_name = _("letterhead")

    def __str__(self) -> str:
        return f"{self.issuing_body} ({self.unit})"

    def audit_unit(self):
        return self.unit


def _template_path(instance, filename: str) -> str:
    return f"document-templates/{instance.unit_id}/{instance.kind or 'all'}.docx"


class DocumentTemplate(AuditedModel):
    """A Word file laying out a province's documents (fonts, margins, header, signature),
    with {{placeholders}} the data fills; the default ships with duan8."""

    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.CASCADE,
        related_name="document_templates",
        verbose_name=_("province"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, blank=True)
    file = models.FileField(_("Word template"), upload_to=_template_path, max_length=300)
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("document template")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind"], name="documents_one_template")
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_kind_display() or '*'}"

    def audit_unit(self):
        return self.unit


def _file_path(instance, filename: str) -> str:
    return f"documents/{instance.issuer_id}/{instance.year or 'draft'}/{filename}"


class OfficialDocument(AuditedModel):
    """A document of a unit: a draft while it is edited, then issued with its number and file
    (the register)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    issuer = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="official_documents",
        verbose_name=_("issuing unit"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    period_code = models.CharField(_("period"), max_length=12, blank=True)
    params = models.JSONField(default=dict, blank=True)
    content = models.JSONField(default=list, blank=True)
    sections = models.JSONField(default=list, blank=True)
    summary = models.CharField(_("summary"), max_length=500)
    place = models.CharField(_("place"), max_length=100)
    doc_date = models.DateField(_("date"))
    parent_body = models.CharField(_("parent body"), max_length=200, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    name_in_text = models.CharField(_("name in the text"), max_length=300, blank=True)
    issuer_code = models.CharField(_("issuer code"), max_length=30, blank=True)
    show_motto = models.BooleanField(_("national motto"), default=True)
    signer_authority = models.CharField(_("signing authority"), max_length=200, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=150, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=150, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    file = models.FileField(_("Word file"), upload_to=_file_path, max_length=300, blank=True)
    pdf = models.FileField(_("PDF file"), upload_to=_file_path, max_length=300, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)

    class Meta:
        verbose_name = _("official document")
        ordering = ["-year", "-number", "-pk"]
        constraints = [
            # No two documents of an issuer, kind and year share a number.
            models.UniqueConstraint(
                fields=["issuer", "kind", "year", "number"],
                condition=Q(number__isnull=False),
                name="documents_one_number",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | (Q(number__isnull=False) & Q(year__isnull=False)),
                name="documents_issued_have_a_number",
            ),
        ]
        indexes = [models.Index(fields=["issuer", "state", "doc_date"], name="documents_list")]

    def __str__(self) -> str:
        if self.number is not None:
            return f"{self.number_text} – {self.summary[:80]}"
        return f"{KIND_NAMES[self.kind].capitalize()} ({_('draft')}) – {self.summary[:80]}"

    def audit_unit(self):
        return self.issuer

    @property
    def symbol(self) -> str:
        """TB-BTV: the kind's type code, then the issuer's code."""
        code = TYPE_CODES[self.kind]
        return f"{code}-{self.issuer_code}" if self.issuer_code else code

    @property
    def number_text(self) -> str:
        """32/TB-BTV once issued; the blank to fill by hand before (Số:      /TB-BTV)."""
        if self.number is None:
            return f"      /{self.symbol}"
        return self.numbered(self.number)

    def numbered(self, number: int) -> str:
        """How ``number`` is written on this document (32/TB-BTV, 01/BC-HPN)."""
        return f"{number:02d}/{self.symbol}"

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def is_issued(self) -> bool:
        return self.state == self.State.ISSUED

    def label(self) -> str:
        """How a record names its document: Thông báo số 32/TB-BTV ngày 28/06/2024."""
        return f"{self.kind_name.capitalize()} số {self.number_text} ngày {self.doc_date:%d/%m/%Y}"


class NumberSequence(AuditedModel):
    """The last number given to an issuer's documents of a kind in a year: the row issuing
    locks, so that two officers issuing at once get two numbers."""

    issuer = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document number sequence")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "kind", "year"], name="documents_one_sequence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer_id} {self.kind} {self.year}: {self.last}"

    def audit_unit(self):
        return self.issuer
