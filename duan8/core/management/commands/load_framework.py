from duan8.core.management.base import AuditedCommand
from duan8.framework import defaults


class Command(AuditedCommand):
    help = "Load the Project 8 phase-I indicator framework and national targets. Idempotent."

    def handle(self, *args, **options):
        phase = defaults.load()
        self.stdout.write(f"{phase}: {phase.indicators().count()} indicators")
