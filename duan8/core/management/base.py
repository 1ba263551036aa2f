from django.core.management.base import BaseCommand

from duan8.cli import system_user
from duan8.core import audit


class AuditedCommand(BaseCommand):
    """A command whose writes are recorded in the audit trail as made from the command line.

    ``--as USERNAME`` attributes them to an account; otherwise to the operating-system user.
    """

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="acting_user", help="account to attribute changes to")

    def execute(self, *args, **options):
        from duan8.accounts.models import User

        user = None
        name = options.get("acting_user")
        if name:
            user = User.objects.named(name).first()
            if user is None:
                from django.core.management.base import CommandError

                raise CommandError(f"No account named {name!r}.")
        label = user.get_username() if user else f"cli:{system_user()}"
        with audit.acting_as(user, source=audit.SOURCE_CLI, label=label):
            return super().execute(*args, **options)
