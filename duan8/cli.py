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


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duan8.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "duan8"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
