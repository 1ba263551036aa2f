"""Online backups: SQLite's backup API, or pg_dump / pg_restore for PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


class BackupError(RuntimeError):
    pass


def sqlite_copy(source: Path | str, target: Path | str) -> None:
    """Copy one SQLite database into another page by page, safe while the source is in use."""
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_env(settings_dict: dict) -> dict[str, str]:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def _pg_args(settings_dict: dict) -> list[str]:
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    return args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools.")
    return path


def backup(target: Path, alias: str = "default") -> Path:
    settings_dict = connections[alias].settings_dict
    target.parent.mkdir(parents=True, exist_ok=True)
    if connections[alias].vendor == "sqlite":
        sqlite_copy(settings_dict["NAME"], target)
    elif connections[alias].vendor == "postgresql":
        command = [_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(target)]
        command += _pg_args(settings_dict) + [settings_dict["NAME"]]
        result = subprocess.run(command, env=_pg_env(settings_dict), capture_output=True, text=True)
        if result.returncode:
            raise BackupError(result.stderr.strip())
    else:
        raise BackupError(f"Backups of {connections[alias].vendor} are not supported.")
    return target


def restore(source: Path, alias: str = "default") -> None:
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    settings_dict = connections[alias].settings_dict
    connections[alias].close()
    if connections[alias].vendor == "sqlite":
        sqlite_copy(source, settings_dict["NAME"])
    elif connections[alias].vendor == "postgresql":
        command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "-d"]
        command += [settings_dict["NAME"], *_pg_args(settings_dict), str(source)]
        result = subprocess.run(command, env=_pg_env(settings_dict), capture_output=True, text=True)
        if result.returncode:
            raise BackupError(result.stderr.strip())
    else:
        raise BackupError(f"Restoring {connections[alias].vendor} is not supported.")
    _new_counter_tokens(alias)


def _new_counter_tokens(alias: str) -> None:
    """Figures are cached under the change counters; a restored database could repeat a
    counter a running server has already seen with other data. New tokens make every cached
    figure unreachable."""
    from django.db import DatabaseError

    from duan8.core.models import ChangeCounter, new_token

    counters = ChangeCounter.objects.using(alias)
    try:
        labels = list(counters.values_list("label", flat=True))
    except DatabaseError:  # a backup from before the counters existed: migrate makes them
        return
    for label in labels:
        counters.filter(label=label).update(token=new_token())


def default_target(alias: str = "default") -> Path:
    from django.conf import settings
    from django.utils import timezone

    suffix = ".sqlite3" if connections[alias].vendor == "sqlite" else ".dump"
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"duan8-{stamp}{suffix}"
