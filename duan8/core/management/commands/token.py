from django.core.management.base import CommandError

from duan8.accounts.models import ApiToken, User
from duan8.core.management.base import AuditedCommand


class Command(AuditedCommand):
    help = "Issue an API token for an account; the token is printed once and never stored."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="what the token is for")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account named {username!r}.")
        _, raw = ApiToken.issue(user, name)
        self.stdout.write(raw)
