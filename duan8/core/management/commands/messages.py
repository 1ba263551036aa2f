from django.core.management.base import BaseCommand, CommandError

from duan8.core import catalog


class Command(BaseCommand):
    help = "Extract, check and compile the translation catalogues (no GNU gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument("--extract", action="store_true", help="update the .po files")
        parser.add_argument("--check", action="store_true", help="fail on untranslated strings")

    def handle(self, *args, extract, check, **options):
        if extract:
            added, removed = catalog.update("vi")
            self.stdout.write(f"vi: {added} new strings, {removed} removed")
        if check:
            problems = catalog.missing("vi")
            if problems:
                raise CommandError("Untranslated:\n" + "\n".join(problems))
        for path in catalog.compile_all():
            self.stdout.write(f"compiled {path.relative_to(catalog.PACKAGE_DIR)}")
