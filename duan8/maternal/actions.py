"""Writes of the maternal registry, shared by the pages, the API and the imports: every one
validated, audited, its decision stored and its possible duplicates flagged."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duan8.maternal import duplicates, eligibility
from duan8.maternal.models import Birth, Decision, DuplicateFlag, Mother, ReviewState, RuleSet

# Why a birth was judged again without anyone asking (stored with the decision, in
# Vietnamese like its reasons).
BIRTH_CHANGED = "Thông tin ca sinh đã được sửa"
MOTHER_CHANGED = "Thông tin bà mẹ đã được sửa"


@transaction.atomic
def save_mother(mother: Mother) -> Mother:
    """Register or change a mother. A change judges her births again (her age, group or
    household may change a decision; the earlier decisions are kept)."""
    creating = mother.pk is None
    before = None if creating else Mother.objects.filter(pk=mother.pk).first()
    mother.full_clean()
    mother.save()
    if before is not None and _judged_facts_changed(before, mother):
        context = eligibility.Context()
        for birth in mother.births.select_related("unit__parent"):
            birth.mother = mother
            eligibility.decide(birth, MOTHER_CHANGED, context=context)
    duplicates.refresh([mother.pk])
    return mother


def _judged_facts_changed(before: Mother, after: Mother) -> bool:
    fields = ("birth_date", "ethnic_group_id", "husband_ethnic_group_id", "household_status")
    return any(getattr(before, f) != getattr(after, f) for f in fields)


@transaction.atomic
def save_birth(birth: Birth) -> tuple[Birth, Decision]:
    """Register or change a birth and judge it by the rules in force on its date: a new
    birth's first decision, or a new decision after a change (the earlier ones kept)."""
    creating = birth.pk is None
    birth.full_clean()
    birth.save()
    decision = eligibility.decide(birth, "" if creating else BIRTH_CHANGED)
    duplicates.refresh([birth.mother_id])
    return birth, decision


@transaction.atomic
def judge_again(birth: Birth, reason: str) -> Decision:
    """An approver asks for a birth to be judged again (by the rules in force on its date
    now): a new decision, the earlier ones kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the birth is judged again.")})
    return eligibility.decide(birth, reason)


def open_rule_set(scope, valid_from) -> RuleSet | None:
    return (
        RuleSet.objects.filter(scope=scope, valid_from__lt=valid_from)
        .order_by("-valid_from", "-pk")
        .first()
    )


@transaction.atomic
def add_rule_set(rule_set: RuleSet, very_small_groups) -> RuleSet:
    """A new version of the rules from ``rule_set.valid_from``, for the nation or a province:
    the version in force before it (of the same scope) ends that day. Decisions already made
    are left as they were; a birth from that day is judged by the new version when it is
    judged again. A version may only start after the latest one of its scope."""
    rule_set.full_clean()
    latest = RuleSet.objects.filter(scope=rule_set.scope).order_by("-valid_from").first()
    if latest is not None and rule_set.valid_from <= latest.valid_from:
        raise ValidationError(
            {
                "valid_from": _(
                    "A new version starts after the latest one (from %(day)s): rules already "
                    "applied are never rewritten."
                )
                % {"day": latest.valid_from.strftime("%d/%m/%Y")}
            }
        )
    if latest is not None and (
        latest.valid_until is None or latest.valid_until > rule_set.valid_from
    ):
        latest.valid_until = rule_set.valid_from
        latest.save()
    rule_set.save()
    rule_set.very_small_groups.set(very_small_groups)
    return rule_set


@transaction.atomic
def review(
    flag: DuplicateFlag, state: str, note: str, user, version: int | None = None
) -> DuplicateFlag:
    """Record what an officer found; ``version`` is the flag's version the officer saw, and a
    review saved since then refuses this one (``versions.Stale``)."""
    if version is not None:
        flag.expected_version = version
    if state not in (ReviewState.DIFFERENT, ReviewState.SAME, ReviewState.OPEN):
        raise ValidationError({"state": _("Choose what the review found.")})
    flag.state = state
    flag.note = (note or "").strip()[:300]
    flag.reviewed_at = None if state == ReviewState.OPEN else timezone.now()
    flag.reviewed_by = None if state == ReviewState.OPEN else user
    flag.full_clean()
    flag.save()
    return flag
