from django.core.management import call_command
from django.core.management.base import BaseCommand

from duan8.core import jobs


class Command(BaseCommand):
    help = (
        "Run the background jobs (large imports and exports) as they are queued. "
        "`duan8 serve` starts one; on PostgreSQL more can run on other machines."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="run the jobs waiting now, then stop"
        )

    def handle(self, *args, **options):
        found = jobs.recover()
        if found:
            self.stdout.write(f"{found} interrupted job(s) queued again.")
        argv = ["--no-reload", "--no-startup-delay"]
        if options["batch"]:
            argv.append("--batch")
        call_command("db_worker", *argv, verbosity=options["verbosity"])
