"""Successions: old unit → new unit, the links that carry 2021–2025 facts across the reform."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel


class Succession(AuditedModel):
    """``predecessor`` went, wholly or in part, into ``successor`` on ``effective_on``.

    A commune split across several new communes has one link to each; one of them is the
    default successor, and ``share`` (0–1) says which part went where when it is known.
    """

    predecessor = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.CASCADE,
        related_name="successor_links",
        verbose_name=_("predecessor"),
    )
    successor = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.CASCADE,
        related_name="predecessor_links",
        verbose_name=_("successor"),
    )
    effective_on = models.DateField(_("effective on"))
    is_default = models.BooleanField(_("default successor"), default=True)
    share = models.DecimalField(
        _("share"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Part of the predecessor that went to this successor, from 0 to 1."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="geo_succession_once"
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | (Q(share__gt=0) & Q(share__lte=1)),
                name="geo_succession_share_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"

    def audit_unit(self):
        return self.successor
