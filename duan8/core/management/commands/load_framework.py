from duan8.core.management.base import AuditedCommand
from duan8.framework import defaults
from duan8.reporting import defaults as reporting_defaults


class Command(AuditedCommand):
    help = "Load the Project 8 phase-I indicator framework and national targets. Idempotent."

    def handle(self, *args, **options):
        phase = defaults.load()
        reporting_defaults.load()
        self.stdout.write(f"{phase}: {phase.indicators().count()} indicators")
