from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "duan8.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from duan8.core import audit, checks  # noqa: F401  (checks registers system checks)

        audit.connect_m2m_auditing()
        # The SQLite database and its -wal/-shm files: readable by their owner only.
        from django.db.backends.signals import connection_created

        from duan8.core.backup import owner_only_database

        connection_created.connect(owner_only_database, dispatch_uid="duan8.owner_only_database")
