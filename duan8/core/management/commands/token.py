from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from duan8.accounts.models import ApiToken, User
from duan8.core.management.base import AuditedCommand


class Command(AuditedCommand):
    help = (
        "Issue an API token for an account (printed once, never stored), list an account's "
        "tokens (--list USERNAME) or revoke one (--revoke PREFIX_OR_ID)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("username", nargs="?")
        parser.add_argument("--name", default="command line", help="what the token is for")
        parser.add_argument(
            "--days", type=int, help="days the token is valid (default: DUAN8_API_TOKEN_DAYS)"
        )
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--list", action="store_true", help="list the account's tokens")
        what.add_argument("--revoke", metavar="PREFIX_OR_ID", help="revoke one token")

    def handle(self, *args, username, name, days, list, revoke, **options):
        if revoke:
            return self._revoke(revoke)
        if not username:
            raise CommandError(_("Name the account: duan8 token USERNAME."))
        if list:
            return self._list(username)
        user = User.objects.named(username).filter(is_active=True).first()
        if user is None:
            raise CommandError(_("No active account named %(name)s.") % {"name": username})
        try:
            _token, raw = ApiToken.issue(user, name, days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(raw)

    def _list(self, username):
        user = User.objects.named(username).first()
        if user is None:
            raise CommandError(_("No account named %(name)s.") % {"name": username})

        def when(moment) -> str:
            return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else "—"

        for token in user.api_tokens.order_by("created_at"):
            columns = [str(token.pk), token.prefix, token.name, when(token.created_at)]
            columns += [when(token.last_used_at), when(token.expires_at), str(token.state.label)]
            self.stdout.write("\t".join(columns))

    def _revoke(self, wanted):
        match = Q(prefix=wanted)
        if wanted.isdigit():
            match |= Q(pk=int(wanted))
        found = list(ApiToken.objects.filter(match).select_related("user")[:2])
        if not found:
            raise CommandError(_("No token %(token)s.") % {"token": wanted})
        if len(found) > 1:
            raise CommandError(
                _("Several tokens match %(token)s: name one by its id (--list).")
                % {"token": wanted}
            )
        token = found[0]
        token.revoke()
        self.stdout.write(
            _("Token %(prefix)s (%(name)s) of %(user)s is revoked.")
            % {"prefix": token.prefix, "name": token.name, "user": token.user.username}
        )
