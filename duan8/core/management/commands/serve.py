import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from duan8.conf import env_int, env_str


class Command(BaseCommand):
    help = "Serve duan8 with gunicorn (static files are served by the app itself)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=env_str("DUAN8_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=env_int("DUAN8_WORKERS", 2, minimum=1))
        parser.add_argument(
            "--threads",
            type=int,
            default=env_int("DUAN8_THREADS", 1, minimum=1),
            help="threads per worker; above 1 gunicorn runs its threaded (gthread) workers",
        )

    def handle(self, *args, **options):
        argv = [
            "gunicorn",
            "duan8.wsgi:application",
            "--config",
            "python:duan8.serving",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            "127.0.0.1",
        ]
        database = settings.DATABASES["default"]["NAME"]
        self.stdout.write(f"duan8 at http://{options['bind']}/ (database: {database})")
        sys.stdout.flush()
        os.execvp(sys.executable, [sys.executable, "-m", *argv])
