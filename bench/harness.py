"""What the benchmarks under bench/ share: a throw-away database of each kind, the environment
and the command of a child process (each step runs in a fresh process, so that what one step
holds in memory does not flatter the next), the machine's facts, and the sections of
RESULTS.md each benchmark owns (``<!-- name -->…<!-- /name -->``).

Run as ``python bench/<name>.py``: the scripts' folder is first on ``sys.path``, so they import
this module as ``harness``.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_ADMIN = f"{PG_SERVER}/postgres"
VENDORS = ("sqlite", "postgresql")


def env(database_url: str, data_dir: str, **extra: str) -> dict:
    """The environment of a child process: duan8's production settings on that database."""
    found = dict(os.environ)
    found.update(
        DJANGO_SETTINGS_MODULE="duan8.settings",
        DATABASE_URL=database_url,
        DUAN8_DATA_DIR=data_dir,
        DUAN8_DEBUG="0",
        DUAN8_HTTPS="0",
        DUAN8_SECRET_KEY="bench-only-" + "x" * 50,
        DUAN8_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        PYTHONPATH=str(ROOT),
    )
    found.update(extra)
    return found


def step(script: str, name: str, environment: dict, *extra: str) -> dict:
    """Run ``script --child name --json <file> extra…`` in a fresh process; its JSON answer."""
    out = Path(environment["DUAN8_DATA_DIR"]) / f"{name}.json"
    command = [sys.executable, str(Path(script).resolve()), "--child", name, "--json", str(out)]
    subprocess.run([*command, *extra], env=environment, check=True, cwd=ROOT)
    return json.loads(out.read_text())


def postgres(name: str, create: bool) -> None:
    """Drop the database ``name`` (and create it afresh when ``create``)."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')


@contextlib.contextmanager
def database(vendor: str, label: str) -> Iterator[str]:
    """The URL of an empty database of ``vendor``, removed afterwards: a SQLite file in a
    temporary folder, or a PostgreSQL database on the local server."""
    if vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix=f"duan8-{label}-db-")
        try:
            yield f"sqlite:///{folder}/bench.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    elif vendor == "postgresql":
        name = f"duan8_bench_{label.replace('-', '_')}_{os.getpid()}"
        postgres(name, create=True)
        try:
            yield f"{PG_SERVER}/{name}"
        finally:
            postgres(name, create=False)
    else:
        raise SystemExit(f"unknown database {vendor!r} (one of {', '.join(VENDORS)})")


@contextlib.contextmanager
def data_dir(label: str) -> Iterator[str]:
    """A temporary ``DUAN8_DATA_DIR`` for one run, removed afterwards."""
    folder = tempfile.mkdtemp(prefix=f"duan8-{label}-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def django() -> None:
    """Set Django up in a child (its settings come from ``env``)."""
    import django as framework

    framework.setup()


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def server_version(connection) -> str:
    """``SQLite 3.40.1`` or ``PostgreSQL 15.20``: the database a Django connection talks to."""
    import sqlite3

    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split(' ')[0]}"


def machine() -> dict:
    """Cores, memory, CPU and the versions of Python and both databases."""

    def run(*command: str) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            return "?"
        return done.stdout.strip()

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    import sqlite3

    import psycopg

    try:
        with psycopg.connect(PG_ADMIN) as connection:
            pg = connection.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error:
        pg = "not reachable"
    return {
        "nproc": run("nproc"),
        "memory": run("free", "-h"),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg,
    }


def _section_pattern(name: str) -> re.Pattern:
    return re.compile(rf"<!-- {name} -->.*?<!-- /{name} -->\n?", re.S)


def replace_section(path: Path, name: str, text: str) -> None:
    """Put a benchmark's section into RESULTS.md in its place (or at the end), keeping the
    rest of the file."""
    old = path.read_text() if path.exists() else ""
    pattern = _section_pattern(name)
    new = pattern.sub(lambda _m: text, old) if pattern.search(old) else old.rstrip() + "\n\n" + text
    path.write_text(new)


def kept_sections(path: Path) -> str:
    """Every section other benchmarks wrote into RESULTS.md, for one that rewrites the file's
    head (bench/national.py)."""
    if not path.exists():
        return ""
    text = path.read_text()
    names = re.findall(r"<!-- (\w+) -->", text)
    parts = [m.group(0) for name in names if (m := _section_pattern(name).search(text))]
    return "".join("\n" + part for part in parts)
