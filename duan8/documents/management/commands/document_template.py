from pathlib import Path

from django.core.management.base import BaseCommand

from duan8.documents import templates, word


class Command(BaseCommand):
    help = (
        "Write the default Word template of the documents (Decree 30/2020/NĐ-CP layout), drawn "
        "from code: the file shipped with duan8, or --out for a copy to edit in Word."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", help="where to write it (default: the shipped file)")

    def handle(self, *args, out=None, **options):
        target = Path(out) if out else templates.DEFAULT
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(word.default_template())
        self.stdout.write(f"{target}")
