"""The ``duan8`` command: Django's management commands plus duan8's own.

duan8 serve            run the app with gunicorn
duan8 demo             load the demo data (idempotent)
duan8 createadmin      create a national administrator
duan8 token USERNAME   issue an API token
duan8 backup / restore back up or restore the database
duan8 check --deploy   the deployment checks
duan8 unit CODE ...    change an administrative unit from the shell (audited)
"""

import os
import sys

# Commands that serve others: each request or job names its own actor.
SERVING = frozenset({"serve", "runserver", "worker", "db_worker"})


def system_user() -> str:
    """The operating system's user running the command (its uid where it has no name, as in
    a container run with an arbitrary uid)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duan8.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "duan8"
    if len(args) > 1 and args[1] in SERVING:
        execute_from_command_line(args)
        return
    # Every other command — ``duan8 shell`` included — writes in the name of the operating
    # system's user at the command line, unless it names an account (``--as``).
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()  # the audit module's models need the app registry
    except ImproperlyConfigured as exc:  # a setting missing: say which, without a traceback
        sys.exit(f"duan8: {exc}")
    except Exception:  # settings not usable otherwise: Django's own command line explains it
        execute_from_command_line(args)
        return
    from duan8.core import audit

    with audit.acting_as(None, source=audit.SOURCE_CLI, label=f"cli:{system_user()}"):
        execute_from_command_line(args)


if __name__ == "__main__":
    main()
