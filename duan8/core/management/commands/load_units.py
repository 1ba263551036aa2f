import time

from duan8.core.management.base import AuditedCommand
from duan8.geo import official


class Command(AuditedCommand):
    help = (
        "Load the official administrative units before and after the 2025 reform, and the "
        "successions between them, from the vietnamadminunits package. Idempotent."
    )

    def handle(self, *args, **options):
        began = time.monotonic()
        report = official.load()
        self.stdout.write(f"{report} in {time.monotonic() - began:.1f} s")
