"""Online backups: SQLite's backup API, or pg_dump / pg_restore for PostgreSQL.

A backup is checked before it replaces anything (``check``): it must be a whole database of
the engine duan8 runs on, made by duan8, and every migration it has applied must be known to
this code. A backup from an older duan8 is restored and then migrated; one from a newer duan8
is refused. Database and backup files are readable by their owner only.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections

logger = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDMP_MAGIC = b"PGDMP"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}
# The names default_target gives: the only files ``--keep`` ever deletes.
BACKUP_NAME = re.compile(r"duan8-\d{8}-\d{6}(\.sqlite3|\.dump)")


class BackupError(RuntimeError):
    pass


@dataclass
class Verdict:
    """What ``check`` found in a backup that may be restored."""

    vendor: str
    tables: set[str]
    # Migrations this code has and the backup has not (an older duan8): run after restoring.
    pending: list[str] = field(default_factory=list)
    # Apps the backup has migrations of that this duan8 does not have; ignored, as migrate does.
    foreign_apps: list[str] = field(default_factory=list)


# Files readable by their owner only -------------------------------------------------------


def owner_only(path: Path | str) -> None:
    """Take group and other permissions away from a file or folder, if it has any."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
    except FileNotFoundError:
        pass
    except OSError as exc:  # not ours, or a file system without permissions
        logger.warning("Could not make %s readable by its owner only: %s", path, exc)


def _create_owner_only(path: Path) -> bool:
    """Create ``path`` empty with mode 0600 unless it exists; True when it was created."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        owner_only(path)
        return False
    return True


def sqlite_files(name: Path | str) -> list[Path]:
    """A SQLite database and the files SQLite keeps beside it."""
    return [Path(f"{name}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]


def owner_only_database(sender, connection, **kwargs) -> None:
    """``connection_created``: the SQLite database, made by the first connection (``migrate``),
    and its -wal and -shm files are readable by their owner only. SQLite gives the -wal and
    -shm files it creates later the database file's permissions."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    for path in sqlite_files(connection.settings_dict["NAME"]):
        owner_only(path)


# Backup --------------------------------------------------------------------------------------


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


def backups_folder() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "backups"


def _make_folder(folder: Path) -> None:
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
    if folder.resolve() == backups_folder().resolve():
        owner_only(folder)


def backup(target: Path, alias: str = "default") -> Path:
    """Write a backup of the database to ``target``, readable by its owner only."""
    connection = connections[alias]
    settings_dict = connection.settings_dict
    if connection.vendor not in SUFFIXES:
        raise BackupError(f"Backups of {connection.vendor} are not supported.")
    if connection.vendor == "sqlite":
        live = Path(settings_dict["NAME"])
        if target.exists() and live.exists() and os.path.samefile(target, live):
            raise BackupError(f"{target} is the live database itself.")
    _make_folder(target.parent)
    created = _create_owner_only(target)
    try:
        if connection.vendor == "sqlite":
            try:
                sqlite_copy(settings_dict["NAME"], target)
            except sqlite3.Error as exc:
                raise BackupError(f"Could not write {target}: {exc}.") from None
        else:
            command = [_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(target)]
            command += _pg_args(settings_dict) + [settings_dict["NAME"]]
            result = subprocess.run(
                command,
                env=_pg_env(settings_dict),
                capture_output=True,
                text=True,
                umask=0o077,
            )
            if result.returncode:
                raise BackupError(result.stderr.strip())
    except BaseException:
        if created:  # no empty or half-written file that looks like a backup
            target.unlink(missing_ok=True)
        raise
    for path in sqlite_files(target):
        owner_only(path)
    return target


def default_target(alias: str = "default", folder: Path | None = None) -> Path:
    from django.utils import timezone

    suffix = SUFFIXES.get(connections[alias].vendor, ".dump")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return (folder or backups_folder()) / f"duan8-{stamp}{suffix}"


def is_backup_name(name: str) -> bool:
    return BACKUP_NAME.fullmatch(name) is not None


def prune(folder: Path, keep: int, alias: str = "default") -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``folder``: only files named as
    ``default_target`` names them for this database engine; other files stay. Returns what
    was deleted."""
    if keep < 1:
        raise BackupError("Keep at least one backup.")
    suffix = SUFFIXES.get(connections[alias].vendor, ".dump")
    backups = sorted(
        path
        for path in folder.iterdir()
        if is_backup_name(path.name) and path.suffix == suffix and path.is_file()
    )
    doomed = backups[:-keep]
    for path in doomed:
        path.unlink()
    return doomed


# Checks before a restore ---------------------------------------------------------------------


def check(source: Path, alias: str = "default") -> Verdict:
    """Refuse, with a specific reason, a file that is not a backup this duan8 can restore.
    Reads the file only; the live database is not touched."""
    connection = connections[alias]
    vendor = connection.vendor
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    with source.open("rb") as file:
        header = file.read(len(SQLITE_MAGIC))
    if not header:
        raise BackupError(f"{source} is empty: not a backup.")
    if vendor == "sqlite":
        if header.startswith(PGDMP_MAGIC):
            raise BackupError(
                f"{source} is a PostgreSQL archive (pg_dump); this duan8 runs on SQLite."
            )
        if header != SQLITE_MAGIC:
            raise BackupError(f"{source} is not a SQLite database.")
        live = Path(connection.settings_dict["NAME"])
        if live.exists() and os.path.samefile(source, live):
            raise BackupError(f"{source} is the live database itself.")
        tables, applied = _read_sqlite(source)
    elif vendor == "postgresql":
        if header == SQLITE_MAGIC:
            raise BackupError(f"{source} is a SQLite database; this duan8 runs on PostgreSQL.")
        if not header.startswith(PGDMP_MAGIC):
            raise BackupError(
                f"{source} is not a PostgreSQL custom-format archive (pg_dump -Fc, as "
                "`duan8 backup` writes); a plain SQL dump is restored with psql."
            )
        tables, applied = _read_pg_archive(source)
    else:
        raise BackupError(f"Restoring {vendor} is not supported.")
    return _judge(source, vendor, tables, applied)


def _open_readonly(source: Path) -> sqlite3.Connection:
    """Open a SQLite file without writing to it or beside it (no -wal or -shm file is made
    unless one is already there)."""
    uri = source.resolve().as_uri() + "?mode=ro"
    if not Path(f"{source}-wal").exists():
        uri += "&immutable=1"
    return sqlite3.connect(uri, uri=True)


def _read_sqlite(source: Path) -> tuple[set[str], set[tuple[str, str]]]:
    try:
        db = _open_readonly(source)
        try:
            problems = [row[0] for row in db.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise BackupError(
                    f"{source} is a damaged SQLite database: {'; '.join(problems[:3])}"
                )
            tables = {
                row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if "django_migrations" not in tables:
                raise BackupError(
                    f"{source} is not a duan8 database: table django_migrations missing."
                )
            applied = {
                (app, name) for app, name in db.execute("SELECT app, name FROM django_migrations")
            }
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not a readable SQLite database: {exc}.") from None
    return tables, applied


_TABLE_ENTRY = re.compile(r"\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+) ")


def _read_pg_archive(source: Path) -> tuple[set[str], set[tuple[str, str]]]:
    pg_restore = _tool("pg_restore")
    listing = subprocess.run(
        [pg_restore, "--list", str(source)], capture_output=True, text=True, errors="replace"
    )
    if listing.returncode:
        raise BackupError(
            f"{source} is not an archive pg_restore can read: {listing.stderr.strip()}"
        )
    tables = {m[2] for line in listing.stdout.splitlines() if (m := _TABLE_ENTRY.match(line))}
    if "django_migrations" not in tables:
        raise BackupError(f"{source} is not a duan8 database: table django_migrations missing.")
    data = subprocess.run(
        [pg_restore, "--data-only", "--table", "django_migrations", "-f", "-", str(source)],
        capture_output=True,
        text=True,
        errors="replace",
    )
    if data.returncode:
        raise BackupError(f"{source} is a damaged archive: {data.stderr.strip()}")
    return tables, _copy_rows(data.stdout, "django_migrations", ("app", "name"))


def _copy_rows(script: str, table: str, columns: tuple[str, ...]) -> set[tuple[str, ...]]:
    """The values of ``columns`` in the COPY block of ``table`` in a pg_restore script."""
    head = re.compile(rf"COPY (?:\S+\.)?{table} \(([^)]*)\) FROM stdin;")
    rows: set[tuple[str, ...]] = set()
    lines = iter(script.splitlines())
    for line in lines:
        match = head.match(line)
        if not match:
            continue
        names = [name.strip().strip('"') for name in match[1].split(",")]
        where = [names.index(column) for column in columns]
        for row in lines:
            if row == "\\.":
                break
            values = [_unescape_copy(value) for value in row.split("\t")]
            rows.add(tuple(values[i] for i in where))
    return rows


def _unescape_copy(value: str) -> str:
    escapes = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m[1], m[1]), value)


def _judge(source: Path, vendor: str, tables: set[str], applied: set[tuple[str, str]]) -> Verdict:
    """Compare the backup's migrations and tables with this code's migrations."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    graph = loader.graph
    known = set(graph.nodes)
    for migration in loader.replacements.values():
        known.update(migration.replaces)
    installed = loader.migrated_apps
    own = sorted(
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith("duan8.") and any(key[0] == config.label for key in known)
    )
    if not any(app in own for app, _ in applied):
        raise BackupError(
            f"{source} is not a duan8 database: it has no migrations of duan8's apps "
            f"({', '.join(own)})."
        )
    unknown = sorted(
        f"{app}.{name}" for app, name in applied if app in installed and (app, name) not in known
    )
    if unknown:
        raise BackupError(
            f"{source} was made by a newer duan8: unknown migrations {', '.join(unknown)}. "
            "Upgrade duan8 before restoring it."
        )
    done = {key for key in applied if key in graph.nodes}
    done |= {
        key
        for key, migration in loader.replacements.items()
        if key in graph.nodes and all(tuple(old) in applied for old in migration.replaces)
    }
    for key in sorted(done):
        for parent in graph.node_map[key].parents:
            if parent.key[0] in installed and parent.key not in done:
                raise BackupError(
                    f"{source} has an inconsistent migration history: {'.'.join(key)} is "
                    f"applied but not {'.'.join(parent.key)}, which it depends on."
                )
    state = loader.project_state(nodes=sorted(done), at_end=True)
    expected = {
        model._meta.db_table
        for model in state.apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    }
    missing = sorted(expected - tables)
    if missing:
        noun = "table" if len(missing) == 1 else "tables"
        raise BackupError(f"{source} is not a duan8 database: {noun} {', '.join(missing)} missing.")
    return Verdict(
        vendor=vendor,
        tables=tables,
        pending=[f"{app}.{name}" for app, name in sorted(set(graph.nodes) - done)],
        foreign_apps=sorted({app for app, _ in applied if app not in installed}),
    )


# Restore ------------------------------------------------------------------------------------


def restore(source: Path, alias: str = "default", verdict: Verdict | None = None) -> Verdict:
    """Replace the database with a backup: checked first (``check``), then copied in one
    transaction, then migrated when it comes from an older duan8."""
    verdict = verdict or check(source, alias)
    connection = connections[alias]
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.close()
        _restore_sqlite(source, Path(settings_dict["NAME"]))
    elif connection.vendor == "postgresql":
        # Tables of this code that the backup does not have (it is older) would survive
        # pg_restore --clean, block it with their foreign keys and make migrate fail.
        leftovers = set(connection.introspection.django_table_names(only_existing=True))
        leftovers = sorted(leftovers - verdict.tables)
        connection.close()
        _restore_pg(source, settings_dict, [connection.ops.quote_name(t) for t in leftovers])
    else:
        raise BackupError(f"Restoring {connection.vendor} is not supported.")
    if verdict.pending:
        from django.core.management import call_command

        try:
            call_command("migrate", database=alias, interactive=False, verbosity=0)
        except Exception as exc:
            raise BackupError(
                f"The backup was restored but could not be migrated: {exc}. "
                "Run `duan8 migrate` before starting the app."
            ) from exc
    _new_counter_tokens(alias)
    return verdict


def _restore_sqlite(source: Path, live: Path) -> None:
    _create_owner_only(live)
    src = _open_readonly(source)
    dst = sqlite3.connect(str(live))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    for path in sqlite_files(live):
        owner_only(path)


def _restore_pg(source: Path, settings_dict: dict, leftovers: list[str]) -> None:
    """pg_restore's script fed to psql in a single transaction, after dropping ``leftovers``:
    the database is either wholly restored or left as it was."""
    restore_command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner"]
    restore_command += ["-f", "-", str(source)]
    psql_command = [_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    psql_command += [*_pg_args(settings_dict), "-d", settings_dict["NAME"]]
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        psql = subprocess.Popen(
            psql_command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=_pg_env(settings_dict),
        )
        script = subprocess.Popen(restore_command, stdout=subprocess.PIPE, stderr=restore_errors)
        script_status = None
        try:
            psql.stdin.write(b"BEGIN;\n")
            for table in leftovers:
                psql.stdin.write(f"DROP TABLE IF EXISTS {table} CASCADE;\n".encode())
            shutil.copyfileobj(script.stdout, psql.stdin, 1 << 20)
            script_status = script.wait()
            if script_status == 0:  # without COMMIT, psql's session ends rolled back
                psql.stdin.write(b"COMMIT;\n")
            psql.stdin.close()
        except BrokenPipeError:  # psql stopped at an error
            pass
        finally:
            if script.poll() is None:
                script.kill()
            script.wait()
            script.stdout.close()
        psql_status = psql.wait()
        if psql_status or script_status != 0:
            errors = psql_errors if psql_status else restore_errors
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise BackupError(message or "pg_restore or psql failed; nothing was restored.")


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
