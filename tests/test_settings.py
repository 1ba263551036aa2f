"""Settings come from the environment, fail loudly on bad values, and pass the deploy checks."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from duan8.conf import env_bool, env_int, env_list, parse_database_url

ROOT = Path(__file__).resolve().parent.parent


def test_a_boolean_variable_refuses_a_value_it_cannot_read(monkeypatch):
    monkeypatch.setenv("DUAN8_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DUAN8_X"):
        env_bool("DUAN8_X", False)


def test_an_integer_variable_refuses_text_and_values_below_its_minimum(monkeypatch):
    monkeypatch.setenv("DUAN8_X", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("DUAN8_X", 1)
    monkeypatch.setenv("DUAN8_X", "0")
    with pytest.raises(ImproperlyConfigured):
        env_int("DUAN8_X", 1, minimum=1)


def test_a_list_variable_splits_on_commas(monkeypatch):
    monkeypatch.setenv("DUAN8_X", " a.vn, b.vn ,")
    assert env_list("DUAN8_X", []) == ["a.vn", "b.vn"]


def test_a_relative_sqlite_url_lives_in_the_data_directory(tmp_path):
    config = parse_database_url("sqlite:///duan8.sqlite3", base_dir=tmp_path)
    assert config["NAME"] == str(tmp_path / "duan8.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_an_absolute_sqlite_url_is_kept(tmp_path):
    config = parse_database_url(f"sqlite:///{tmp_path}/x.db", base_dir=Path("/elsewhere"))
    assert config["NAME"] == f"{tmp_path}/x.db"


def test_a_postgres_url_is_read_in_full():
    config = parse_database_url(
        "postgres://duan8:m%40t@db.local:5433/duan8?sslmode=require", base_dir=Path(".")
    )
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "duan8",
        "m@t",
        "db.local",
        "5433",
    )
    assert config["NAME"] == "duan8" and config["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host/", "sqlite://host/x"])
def test_an_unusable_database_url_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        parse_database_url(url, base_dir=Path("."))


def _duan8(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DUAN8_")
        and k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "-m", "duan8.cli", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = _duan8(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DUAN8_SECRET_KEY=secrets.token_urlsafe(50),
        DUAN8_ALLOWED_HOSTS="duan8.example.vn",
        DUAN8_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _duan8("check", DUAN8_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DUAN8_SECRET_KEY" in result.stderr


def test_every_environment_variable_is_documented():
    sources = [*ROOT.joinpath("duan8").rglob("*.py")]
    used = set()
    for path in sources:
        used |= set(re.findall(r'env_\w+\(\s*"([A-Z0-9_]+)"', path.read_text()))
        used |= set(re.findall(r'os\.environ\.get\("(DUAN8_[A-Z0-9_]+)"', path.read_text()))
    documented = set(re.findall(r"`([A-Z0-9_]+)`", (ROOT / "docs/configuration.md").read_text()))
    assert used, "no variables found: the pattern is out of date"
    assert sorted(used - documented) == []
