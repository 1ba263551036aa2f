"""Guards: no model change without a migration, no Vietnamese string left untranslated."""

from io import StringIO

from django.core.management import call_command

from duan8.core import catalog


def test_there_are_no_pending_migrations(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_every_marked_string_has_a_vietnamese_translation():
    assert catalog.missing("vi") == []


def test_the_catalogue_holds_no_strings_that_are_no_longer_used():
    used = set(catalog.extract())
    stale = [m.id for m in catalog.load("vi") if m.id and (m.id, m.context) not in used]
    assert stale == []
