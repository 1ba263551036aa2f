from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from duan8.accounts.models import User
from duan8.core.management.base import AuditedCommand


class Command(AuditedCommand):
    help = "Create a national administrator (or make an existing account one)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("username")
        parser.add_argument("--password", help="read from the terminal when omitted")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, password, full_name, email, **options):
        if password is None:
            import getpass

            password = getpass.getpass("Password: ")
        user = User.objects.named(username).first()
        if user is not None and user.username != username:
            raise CommandError(
                _(
                    "The username %(taken)s is already in use. Usernames do not distinguish "
                    "capital letters: choose another one."
                )
                % {"taken": user.username}
            )
        user = user or User(username=username)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user.set_password(password)
        user.is_national_admin = True
        user.full_name = full_name or user.full_name
        user.email = email or user.email
        user.save()
        self.stdout.write(self.style.SUCCESS(f"National administrator {username} is ready."))
