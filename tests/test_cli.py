"""The ``duan8`` command line: demo data, administrators, tokens, backups."""

import datetime
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from duan8.accounts.models import ApiToken, User
from duan8.core.backup import sqlite_copy
from duan8.core.models import AuditEvent
from duan8.geo.models import AdminUnit, UnitKind


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_demo_loads_official_units_and_one_account_per_role(db):
    output = run("demo")
    assert "laichau.quantri" in output and "duan8-demo" in output
    lai_chau = AdminUnit.objects.get(
        kind=UnitKind.PROVINCE, code="12", valid_until=datetime.date(2025, 7, 1)
    )
    assert lai_chau.name == "Tỉnh Lai Châu"
    districts = AdminUnit.objects.filter(parent=lai_chau, kind=UnitKind.DISTRICT)
    assert districts.count() == 8
    assert AdminUnit.objects.get(
        kind=UnitKind.COMMUNE, code="03553", valid_until__isnull=False
    ).parent.short_name == ("Phong Thổ")
    admin = User.objects.get(username="admin")
    assert admin.is_national_admin and admin.check_password("duan8-demo")


def test_loading_the_demo_twice_changes_nothing(db):
    run("demo")
    counts = (AdminUnit.objects.count(), User.objects.count(), AuditEvent.objects.count())
    assert "0 units, 0 villages and 0 accounts" in run("demo")
    assert (AdminUnit.objects.count(), User.objects.count(), AuditEvent.objects.count()) == counts


def test_createadmin_makes_a_national_administrator(db):
    run("createadmin", "tw.admin", "--password", "mot-mat-khau-dai-9", "--full-name", "TW Hội")
    admin = User.objects.get(username="tw.admin")
    assert admin.is_national_admin and admin.check_password("mot-mat-khau-dai-9")
    assert AuditEvent.objects.for_object(admin).get().source == "cli"


def test_createadmin_refuses_a_weak_password(db):
    with pytest.raises(CommandError):
        run("createadmin", "tw.admin", "--password", "123")


def test_a_token_issued_on_the_command_line_opens_the_api(client, world):
    raw = run("token", "xa.nhaplieu", "--name", "DHIS2").strip()
    assert ApiToken.objects.get(user=world.commune_editor).name == "DHIS2"
    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.json()["username"] == "xa.nhaplieu"


def test_a_token_for_an_unknown_account_is_refused(db):
    with pytest.raises(CommandError):
        run("token", "khong.ai")


def test_an_sqlite_backup_restores_what_was_there(tmp_path):
    live = tmp_path / "live.sqlite3"
    with sqlite3.connect(live) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (v TEXT)")
        db.execute("INSERT INTO t VALUES ('trước')")
    sqlite_copy(live, tmp_path / "backup.sqlite3")
    with sqlite3.connect(live) as db:
        db.execute("UPDATE t SET v = 'sau'")
    sqlite_copy(tmp_path / "backup.sqlite3", live)
    with sqlite3.connect(live) as db:
        assert db.execute("SELECT v FROM t").fetchall() == [("trước",)]


def test_backup_and_restore_commands_round_trip_an_sqlite_database(tmp_path):
    env = {
        **os.environ,
        "DUAN8_DEBUG": "1",
        "DUAN8_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "sqlite:///d.sqlite3",
        "DJANGO_SETTINGS_MODULE": "duan8.settings",
    }
    duan8 = [sys.executable, "-m", "duan8.cli"]

    def sh(*args):
        return subprocess.run([*duan8, *args], env=env, check=True, capture_output=True, text=True)

    sh("migrate", "-v", "0")
    sh("createadmin", "truoc.sao.luu", "--password", "mot-mat-khau-dai-9")
    sh("backup", str(tmp_path / "b.sqlite3"))
    sh("createadmin", "sau.sao.luu", "--password", "mot-mat-khau-dai-9")
    sh("restore", str(tmp_path / "b.sqlite3"), "--yes")
    with sqlite3.connect(tmp_path / "d.sqlite3") as db:
        names = {row[0] for row in db.execute("SELECT username FROM accounts_user")}
    assert names == {"truoc.sao.luu"}


POSTGRES_URL = os.environ.get("DATABASE_URL", "")


@pytest.mark.skipif(
    not POSTGRES_URL.startswith("postgres") or not shutil.which("pg_dump"),
    reason="runs in the PostgreSQL run, where pg_dump is installed",
)
def test_backup_and_restore_commands_round_trip_a_postgres_database(tmp_path):
    server = POSTGRES_URL.rsplit("/", 1)[0]
    name = f"duan8_backup_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DUAN8_DEBUG": "1",
        "DUAN8_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"{server}/{name}",
        "DJANGO_SETTINGS_MODULE": "duan8.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def sh(*args):
        return subprocess.run(
            [sys.executable, "-m", "duan8.cli", *args],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )

    subprocess.run(["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        sh("migrate", "-v", "0")
        sh("createadmin", "truoc.sao.luu", "--password", "mot-mat-khau-dai-9")
        sh("backup", str(tmp_path / "b.dump"))
        sh("createadmin", "sau.sao.luu", "--password", "mot-mat-khau-dai-9")
        sh("restore", str(tmp_path / "b.dump"), "--yes")
        names = subprocess.run(
            ["psql", f"{server}/{name}", "-tAc", "SELECT username FROM accounts_user"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        assert names == ["truoc.sao.luu"]
    finally:
        subprocess.run(["psql", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"])


def test_a_command_without_its_secret_key_says_what_is_missing_without_a_traceback():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DUAN8_") and key != "DJANGO_SETTINGS_MODULE"
    }
    done = subprocess.run(
        [sys.executable, "-m", "duan8.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "DUAN8_SECRET_KEY" in done.stderr and "Traceback" not in done.stderr
