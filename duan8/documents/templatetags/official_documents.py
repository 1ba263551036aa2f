"""How a record shows the document that decided it: "Văn bản: 32/TB-BTV ngày 11/12/2023",
linked to the document's page, for the readers who may open that page.

A document is read by those who view its issuer (``duan8.core.access``, as the document's
page decides); a reader who sees a record but not the unit that issued its document (a
commune officer reading the targets the province allocated) sees no link, so that the
register of a unit she may not view does not leak. The views load ``official_document`` and
its issuer with the records (``select_related``); ``documents_of`` reads a set of records'
documents in one query."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from duan8.core import access
from duan8.core.formatting import format_date

register = template.Library()


def readable(user, document) -> bool:
    """Whether ``user`` may open ``document``'s page (an issued document only)."""
    if document is None or not document.is_issued:
        return False
    return access.can(user, access.Action.VIEW, document.issuer)


def link(document) -> str:
    text = _("Document: %(number)s of %(date)s") % {
        "number": document.number_text,
        "date": format_date(document.doc_date),
    }
    return format_html(
        '<a href="{}" data-testid="official-document">{}</a>',
        reverse("documents:document", args=[document.pk]),
        text,
    )


def _reader(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def document_link(context, record) -> str:
    """The link to the document ``record`` points to, or "" when there is none or the reader
    may not see it."""
    if record is None or getattr(record, "official_document_id", None) is None:
        return ""
    document = record.official_document
    return link(document) if readable(_reader(context), document) else ""


@register.simple_tag(takes_context=True)
def documents_of(context, records) -> list[str]:
    """The links to the documents a set of records points to (each once, by date), those
    the reader may see; one query."""
    from duan8.documents.models import OfficialDocument

    ids = {r.official_document_id for r in records if r is not None and r.official_document_id}
    if not ids:
        return []
    user = _reader(context)
    found = OfficialDocument.objects.filter(pk__in=ids).select_related("issuer")
    return [link(d) for d in found.order_by("doc_date", "pk") if readable(user, d)]
