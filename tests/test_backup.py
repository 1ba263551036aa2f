"""Backups an operator can trust: ``duan8 restore`` refuses a file it cannot restore before it
replaces anything, database and backup files are readable by their owner only, and
``duan8 backup --keep N`` keeps the newest N backups."""

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from django.db.migrations.loader import MigrationLoader
from django.db.utils import ConnectionHandler

from duan8.conf import parse_database_url
from duan8.core import backup

PASSWORD = "mot-mat-khau-dai-9"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith("postgres")

in_the_sqlite_run = pytest.mark.skipif(
    ON_POSTGRES, reason="checks a SQLite file against the test database's engine"
)
in_the_postgres_run = pytest.mark.skipif(
    not ON_POSTGRES or not shutil.which("pg_dump"),
    reason="runs in the PostgreSQL run, where pg_dump is installed",
)


class Site:
    """duan8 on a database of its own, driven through its command line."""

    def __init__(self, folder: Path, database_url: str):
        self.folder = folder
        self.database_url = database_url
        self.env = {
            **os.environ,
            "DUAN8_DEBUG": "1",
            "DUAN8_DATA_DIR": str(folder),
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "duan8.settings",
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def duan8(self, *args, check=True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "duan8.cli", *args],
            env=self.env,
            check=check,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            umask=0o022,  # what most servers have: files are group- and world-readable
        )

    @property
    def sqlite_file(self) -> Path:
        return self.folder / "d.sqlite3"

    def query(self, sql: str) -> list:
        if self.database_url.startswith("sqlite"):
            with sqlite3.connect(self.sqlite_file) as db:
                return [row[0] for row in db.execute(sql)]
        result = subprocess.run(
            ["psql", "-X", self.database_url, "-tAc", sql],
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout.split()

    def usernames(self) -> set[str]:
        return set(self.query("SELECT username FROM accounts_user"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite database made by ``duan8 migrate``, with one account: copied by the tests."""
    site = Site(tmp_path_factory.mktemp("migrated"), "sqlite:///d.sqlite3")
    site.duan8("migrate", "-v", "0")
    site.duan8("createadmin", "truoc.sao.luu", "--password", PASSWORD)
    return site.sqlite_file


@pytest.fixture
def site(tmp_path, migrated_sqlite) -> Site:
    shutil.copy(migrated_sqlite, tmp_path / "d.sqlite3")
    return Site(tmp_path, "sqlite:///d.sqlite3")


@pytest.fixture
def duan8_file(tmp_path, migrated_sqlite):
    """A copy of a duan8 database, changed by ``sql`` (for in-process checks)."""

    def make(*sql: str) -> Path:
        path = tmp_path / f"backup-{uuid.uuid4().hex[:6]}.sqlite3"
        shutil.copy(migrated_sqlite, path)
        with sqlite3.connect(path) as db:
            for statement in sql:
                db.execute(statement)
        db.close()
        return path

    return make


# Files readable by their owner only ----------------------------------------------------------


def test_the_sqlite_database_migrate_creates_is_readable_by_its_owner_only(migrated_sqlite):
    for path in backup.sqlite_files(migrated_sqlite):
        if path.exists():
            assert mode(path) == 0o600, path


def test_a_sqlite_database_left_readable_by_others_is_closed_when_duan8_opens_it(
    tmp_path, django_db_blocker
):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (v TEXT)")
    path.chmod(0o644)
    handler = ConnectionHandler(
        {"default": parse_database_url(f"sqlite:///{path}", base_dir=tmp_path)}
    )
    with django_db_blocker.unblock():
        with handler["default"].cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES ('x')")
        assert mode(path) == 0o600
        for sibling in backup.sqlite_files(path)[1:]:
            if sibling.exists():
                assert mode(sibling) == 0o600, sibling
        handler["default"].close()


def test_a_backup_and_its_folder_are_readable_by_their_owner_only_and_restore_it(site):
    written = site.duan8("backup").stdout
    [made] = list((site.folder / "backups").iterdir())
    assert str(made) in written and backup.is_backup_name(made.name)
    assert mode(site.folder / "backups") == 0o700
    assert mode(made) == 0o600

    site.duan8("createadmin", "sau.sao.luu", "--password", PASSWORD)
    site.sqlite_file.chmod(0o644)
    site.duan8("restore", str(made), "--yes")
    assert site.usernames() == {"truoc.sao.luu"}
    assert mode(site.sqlite_file) == 0o600


# Restore refuses what it cannot restore -------------------------------------------------------


def test_a_foreign_sqlite_file_is_refused_before_the_live_database_is_touched(site, tmp_path):
    foreign = tmp_path / "khac.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE foo (v TEXT)")
    db.close()
    before = sha256(site.sqlite_file)
    # No --yes and no answer: the refusal comes before the question.
    result = site.duan8("restore", str(foreign), check=False)
    assert result.returncode == 1
    assert "not a duan8 database: table django_migrations missing" in result.stderr
    assert "Nothing was restored" in result.stderr
    assert sha256(site.sqlite_file) == before
    assert site.usernames() == {"truoc.sao.luu"}


def test_a_random_file_is_refused(site, tmp_path):
    garbage = tmp_path / "rac.sqlite3"
    garbage.write_bytes(os.urandom(4096))
    before = sha256(site.sqlite_file)
    result = site.duan8("restore", str(garbage), "--yes", check=False)
    assert result.returncode == 1
    assert "is not a SQLite database" in result.stderr
    assert sha256(site.sqlite_file) == before


def test_a_backup_made_by_a_newer_duan8_is_refused_naming_its_migrations(site, tmp_path):
    target = tmp_path / "moi.sqlite3"
    site.duan8("backup", str(target))
    with sqlite3.connect(target) as db:
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('core', '0999_from_a_newer_duan8', '2030-01-01')"
        )
    db.close()
    site.duan8("createadmin", "sau.sao.luu", "--password", PASSWORD)
    result = site.duan8("restore", str(target), "--yes", check=False)
    assert result.returncode == 1
    assert "made by a newer duan8: unknown migrations core.0999_from_a_newer_duan8" in (
        result.stderr
    )
    assert site.usernames() == {"truoc.sao.luu", "sau.sao.luu"}


def test_a_backup_from_an_older_duan8_is_restored_and_migrated(site, tmp_path):
    site.duan8("migrate", "core", "0003", "-v", "0")  # as an older duan8 left it
    site.duan8("backup", str(tmp_path / "cu.sqlite3"))
    site.duan8("migrate", "-v", "0")
    site.duan8("createadmin", "sau.sao.luu", "--password", PASSWORD)
    result = site.duan8("restore", str(tmp_path / "cu.sqlite3"), "--yes")
    assert "older duan8" in result.stdout
    assert "core.0004_background_jobs" in result.stdout
    assert site.usernames() == {"truoc.sao.luu"}
    assert "0004_background_jobs" in site.query("SELECT name FROM django_migrations")
    assert site.query("SELECT count(*) FROM core_job") == [0]


@in_the_sqlite_run
@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "is empty: not a backup"),
        (os.urandom(2048), "is not a SQLite database"),
        (b"SQLite format 3\x00" + os.urandom(4096), "is not a readable SQLite database"),
        (b"-- PostgreSQL database dump\nCREATE TABLE t ();\n", "is not a SQLite database"),
        (b"PGDMP\x01\x0e\x00" + os.urandom(64), "is a PostgreSQL archive"),
    ],
    ids=["empty", "random", "sqlite-header-then-garbage", "sql-text", "pg-archive"],
)
def test_files_that_are_not_sqlite_databases_are_refused(tmp_path, content, reason):
    path = tmp_path / "tep.sqlite3"
    path.write_bytes(content)
    with pytest.raises(backup.BackupError, match=reason):
        backup.check(path)


@in_the_sqlite_run
def test_a_zip_file_is_refused(tmp_path):
    path = tmp_path / "sao-luu.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("duan8.sqlite3", "x")
    with pytest.raises(backup.BackupError, match="is not a SQLite database"):
        backup.check(path)


@in_the_sqlite_run
def test_a_django_database_of_another_program_is_refused(tmp_path):
    path = tmp_path / "django.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE django_migrations (id INTEGER, app TEXT, name TEXT, applied)")
        db.execute("INSERT INTO django_migrations VALUES (1, 'contenttypes', '0001_initial', 0)")
        db.execute("INSERT INTO django_migrations VALUES (2, 'shop', '0001_initial', 0)")
    db.close()
    with pytest.raises(backup.BackupError, match="not a duan8 database: it has no migrations"):
        backup.check(path)


@in_the_sqlite_run
def test_a_duan8_database_missing_a_table_its_migrations_made_is_refused(duan8_file):
    path = duan8_file("DROP TABLE core_changecounter")
    with pytest.raises(
        backup.BackupError, match="not a duan8 database: table core_changecounter missing"
    ):
        backup.check(path)


@in_the_sqlite_run
def test_a_migration_history_with_a_gap_is_refused(duan8_file):
    path = duan8_file("DELETE FROM django_migrations WHERE app = 'core' AND name = '0001_initial'")
    with pytest.raises(backup.BackupError, match="inconsistent migration history"):
        backup.check(path)


@in_the_sqlite_run
def test_a_backup_names_the_migrations_it_lacks_and_the_apps_it_has_that_duan8_does_not(
    duan8_file,
):
    assert backup.check(duan8_file()).pending == []
    app, name = sorted(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())[-1]
    path = duan8_file(
        f"DELETE FROM django_migrations WHERE app = '{app}' AND name = '{name}'",
        "INSERT INTO django_migrations (app, name, applied) VALUES ('gone', '0001_initial', 0)",
    )
    verdict = backup.check(path)
    assert verdict.pending == [f"{app}.{name}"]
    assert verdict.foreign_apps == ["gone"]


@in_the_sqlite_run
def test_checking_a_backup_leaves_nothing_beside_it(duan8_file):
    path = duan8_file()
    backup.check(path)
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name)) == [
        path.name
    ]


# Nightly backups with retention ---------------------------------------------------------------


def test_keep_deletes_the_oldest_backups_and_nothing_else(site, tmp_path):
    folder = tmp_path / "hang-dem"
    folder.mkdir()
    old = [folder / f"duan8-2024010{day}-020000.sqlite3" for day in range(1, 6)]
    others = [
        folder / "ghi-chu.txt",
        folder / "duan8-truoc-nang-cap.sqlite3",
        folder / "duan8-20240101-020000.dump",  # the other engine's: not counted, not deleted
    ]
    for path in old + others:
        path.write_bytes(b"x")

    result = site.duan8("backup", "--keep", "3", f"{folder}/")
    [new] = [p for p in folder.iterdir() if p not in old + others]
    assert backup.is_backup_name(new.name) and mode(new) == 0o600
    assert "Deleted 3 older backup(s)" in result.stdout
    assert set(folder.iterdir()) == {new, old[3], old[4], *others}

    refused = site.duan8("backup", "--keep", "2", str(folder / "mot-tep.sqlite3"), check=False)
    assert refused.returncode == 1 and "give a folder" in refused.stderr
    assert not (folder / "mot-tep.sqlite3").exists()


# PostgreSQL -------------------------------------------------------------------------------------


@pytest.fixture
def pg_site(tmp_path):
    server = DATABASE_URL.rsplit("/", 1)[0]
    name = f"duan8_restore_{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["psql", "-X", f"{server}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True
    )
    site = Site(tmp_path, f"{server}/{name}")
    try:
        site.duan8("migrate", "-v", "0")
        site.duan8("createadmin", "truoc.sao.luu", "--password", PASSWORD)
        yield site
    finally:
        subprocess.run(
            ["psql", "-X", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"]
        )


@in_the_postgres_run
def test_a_postgres_backup_is_owner_only_and_other_files_are_refused(pg_site, tmp_path):
    pg_site.duan8("backup")
    [made] = list((pg_site.folder / "backups").iterdir())
    assert made.name.endswith(".dump") and made.read_bytes().startswith(b"PGDMP")
    assert mode(made) == 0o600 and mode(made.parent) == 0o700
    verdict = backup.check(made)
    assert verdict.pending == [] and "django_migrations" in verdict.tables

    plain = tmp_path / "plain.sql"
    subprocess.run(["pg_dump", "-f", str(plain), pg_site.database_url], check=True)
    truncated = tmp_path / "cut.dump"
    truncated.write_bytes(made.read_bytes()[:2000])
    garbage = tmp_path / "rac.dump"
    garbage.write_bytes(b"PGDMP" + os.urandom(2048))
    sqlite_file = tmp_path / "d.sqlite3"
    with sqlite3.connect(sqlite_file) as db:
        db.execute("CREATE TABLE foo (v TEXT)")
    db.close()
    foreign = tmp_path / "khac.dump"
    server = DATABASE_URL.rsplit("/", 1)[0]
    other = f"duan8_foreign_{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["psql", "-X", f"{server}/postgres", "-qc", f"CREATE DATABASE {other}"], check=True
    )
    try:
        subprocess.run(
            ["psql", "-X", f"{server}/{other}", "-qc", "CREATE TABLE foo (v text)"], check=True
        )
        subprocess.run(["pg_dump", "-Fc", "-f", str(foreign), f"{server}/{other}"], check=True)
    finally:
        subprocess.run(["psql", "-X", f"{server}/postgres", "-qc", f"DROP DATABASE {other}"])

    for path, reason in [
        (plain, "not a PostgreSQL custom-format archive"),
        (truncated, "pg_restore can read|damaged archive"),
        (garbage, "pg_restore can read"),
        (sqlite_file, "is a SQLite database"),
        (foreign, "not a duan8 database: table django_migrations missing"),
    ]:
        with pytest.raises(backup.BackupError, match=reason):
            backup.check(path)
    result = pg_site.duan8("restore", str(foreign), "--yes", check=False)
    assert result.returncode == 1 and "Nothing was restored" in result.stderr
    assert pg_site.usernames() == {"truoc.sao.luu"}

    # A restore that fails half-way (a view of another program keeps the table from being
    # dropped) leaves the database as it was.
    pg_site.duan8("createadmin", "sau.sao.luu", "--password", PASSWORD)
    pg_site.query("CREATE VIEW nguoi_dung AS SELECT username FROM accounts_user")
    result = pg_site.duan8("restore", str(made), "--yes", check=False)
    assert result.returncode == 1 and "nguoi_dung" in result.stderr
    assert pg_site.usernames() == {"truoc.sao.luu", "sau.sao.luu"}


@in_the_postgres_run
def test_a_postgres_backup_from_a_newer_duan8_is_refused_and_one_from_an_older_is_migrated(
    pg_site, tmp_path
):
    future = "INSERT INTO django_migrations (app, name, applied) "
    future += "VALUES ('core', '0999_from_a_newer_duan8', now())"
    pg_site.query(future)
    pg_site.duan8("backup", str(tmp_path / "moi.dump"))
    pg_site.query("DELETE FROM django_migrations WHERE name = '0999_from_a_newer_duan8'")
    pg_site.duan8("createadmin", "sau.sao.luu", "--password", PASSWORD)
    result = pg_site.duan8("restore", str(tmp_path / "moi.dump"), "--yes", check=False)
    assert result.returncode == 1
    assert "unknown migrations core.0999_from_a_newer_duan8" in result.stderr
    assert pg_site.usernames() == {"truoc.sao.luu", "sau.sao.luu"}

    # An older duan8 had no core_job table; the newer one's has foreign keys to tables the
    # restore replaces, and must not survive it.
    pg_site.duan8("migrate", "core", "0003", "-v", "0")
    pg_site.duan8("backup", str(tmp_path / "cu.dump"))
    pg_site.duan8("migrate", "-v", "0")
    pg_site.duan8("createadmin", "ba.sao.luu", "--password", PASSWORD)
    result = pg_site.duan8("restore", str(tmp_path / "cu.dump"), "--yes")
    assert "core.0004_background_jobs" in result.stdout
    assert pg_site.usernames() == {"truoc.sao.luu", "sau.sao.luu"}
    assert "0004_background_jobs" in pg_site.query("SELECT name FROM django_migrations")
    assert pg_site.query("SELECT count(*) FROM core_job") == ["0"]
