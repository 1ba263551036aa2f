from django.core.management.base import CommandError

from duan8.activities.models import Activity
from duan8.community.models import CommunityModel
from duan8.core import generate
from duan8.core.management.base import AuditedCommand


class Command(AuditedCommand):
    help = (
        "Generate a reproducible national-scale data set for benchmarks and load tests: "
        "villages carried across the 2025 reform, community models and activities over "
        "2021–2025, typed figures per commune and half-year, targets for the nation and the "
        "provinces. Loads the official units and the phase-I framework first when missing. "
        "Generated rows are bulk-inserted WITHOUT per-row audit events: use it on a "
        "throw-away database, never on one holding real records."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="1.0 = national (50,000 villages, 100,000 models, 300,000 activities); "
            "0.02 for a quick run",
        )
        parser.add_argument("--seed", type=int, default=8, help="the same seed, the same data")
        parser.add_argument(
            "--append",
            action="store_true",
            help="add to a database that already holds models or activities",
        )

    def handle(self, *args, scale, seed, append, **options):
        if scale <= 0 or scale > 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        if not append and (CommunityModel.objects.exists() or Activity.objects.exists()):
            raise CommandError(
                "This database already holds community models or activities; generated data "
                "belongs in a throw-away database (or pass --append)."
            )
        generate.generate(scale=scale, seed=seed, log=self.stdout.write)
