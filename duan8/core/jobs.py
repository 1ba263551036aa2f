"""Background jobs: imports and exports too large for a page's request.

A page or the API hands a large file (or a large export) to ``submit``: the job's row, the
uploaded file (kept under MEDIA_ROOT/jobs) and a task for the worker are stored together in
one transaction. The worker — ``duan8 worker``, which ``duan8 serve`` starts beside the web
server, or workers on other machines on PostgreSQL — runs it in the owner's name through the
same import or export the page uses, writing its progress to the job's row; the page polls
the row (``core:job``), the API reads it (``GET /api/v1/jobs/{id}``).

The queue is django-tasks (the backport of Django 6's ``django.tasks``) with its database
backend (django-tasks-db): the tasks wait in our own database, so the embedded SQLite of the
README's two commands needs no broker, and on PostgreSQL any number of workers on other
machines take them (``SELECT … FOR UPDATE SKIP LOCKED``). See docs/jobs.md.

What a job writes is one transaction: a worker stopped half-way (a restart, a crash) stored
nothing, and ``recover`` queues its job again.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from duan8.conf import env_int
from duan8.core import audit, sheets
from duan8.core.models import Job

logger = logging.getLogger(__name__)

# Files above this many rows of data (and exports of more records) run as jobs.
ROWS = env_int("DUAN8_JOB_ROWS", 2000, minimum=1)
# A running job whose worker has said nothing for this long is taken as abandoned.
STALE = datetime.timedelta(minutes=10)
# Errors kept on a refused job (the annotated file carries every one).
KEPT_ERRORS = 500

RunFn = Callable[[Job, "Progress"], dict]


@dataclass(frozen=True)
class Kind:
    """What a job does: ``run(job, progress)`` returns the result to keep (JSON); an import
    raises ``sheets.ImportRefused``, and ``columns`` (its columns) mark the refused file."""

    name: str
    run: RunFn
    columns: list | None = None
    label: str = ""
    # An export: its columns, its rows from the list, its file's name (``export_kind``).
    headers: list | None = None
    rows_of: Callable | None = None
    filename: str = ""


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    _kinds[kind.name] = kind


def folder() -> Path:
    path = Path(settings.MEDIA_ROOT) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(name: str) -> Path:
    return folder() / name


def submit(
    kind: str,
    user,
    unit,
    params: dict,
    *,
    upload=None,
    source: str,
    ip: str | None = None,
    suffix: str = ".xlsx",
) -> Job:
    """Queue a job for ``user`` on ``unit``; ``upload`` is the file an import reads (kept with
    ``suffix``: a workbook unless the kind reads another format)."""
    if kind not in _kinds:
        raise ValueError(f"unknown job kind {kind!r}")
    params = {**params, "language": translation.get_language() or settings.LANGUAGE_CODE}
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, owner=user, unit=unit, params=params, source=source, ip=ip
        )
        if upload is not None:
            name = f"{job.pk}-upload{suffix}"
            with path_of(name).open("wb") as out:
                upload.seek(0)
                for chunk in iter(lambda: upload.read(1 << 20), b""):
                    out.write(chunk)
            path_of(name).chmod(0o600)
            Job.objects.filter(pk=job.pk).update(upload=name)
            job.upload = name
        run_job.enqueue(job.pk)
    return job


class Progress:
    """How far a job got, written to its row at most twice a second (and as its heartbeat).
    An import's storing runs in one transaction: its phase is written before it begins."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._last = 0.0
        self._phase = ""

    def __call__(self, phase: str, done: int = 0, total: int = 0) -> None:
        now = time.monotonic()
        if phase == self._phase and now - self._last < 0.5 and done < total:
            return
        self._last, self._phase = now, phase
        Job.objects.filter(pk=self.job.pk).update(
            phase=phase, done=done, total=total, heartbeat=timezone.now()
        )


def owned(user, pk) -> Job | None:
    """A job of ``user`` (nobody else's exists for her), or None."""
    from duan8.core import access

    return Job.objects.filter(owner=user, pk=access.clean_pk(pk)).first()


def file_response(job: Job):
    """The file an export job wrote (a workbook unless its result names another
    ``content_type``), as a download; None while there is none."""
    from django.http import FileResponse

    path = path_of(job.output) if job.output else None
    if job.state != Job.State.DONE or path is None or not path.is_file():
        return None
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.result.get("filename", "duan8.xlsx"),
        content_type=job.result.get("content_type", sheets.XLSX),
    )


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def execute(job_id: int) -> str:
    """Run one job (the worker's task); returns its final state."""
    job = Job.objects.select_related("owner", "unit").filter(pk=job_id).first()
    if job is None or job.finished:
        return job.state if job else "missing"
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING,
        started_at=now,
        heartbeat=now,
        attempts=F("attempts") + 1,
        worker=_worker_name(),
    )
    kind = _kinds[job.kind]
    upload = path_of(job.upload) if job.upload else None
    state, result, output = Job.State.DONE, {}, ""
    with (
        translation.override(job.params.get("language")),
        audit.acting_as(job.owner, source=job.source, ip=job.ip),
    ):
        try:
            result = kind.run(job, Progress(job)) or {}
            output = result.pop("output", "")
        except sheets.ImportRefused as refused:
            state = Job.State.REFUSED
            result = {
                "error_count": len(refused.errors),
                "errors": [
                    {"row": e.row, "column": e.column, "message": e.message}
                    for e in refused.errors[:KEPT_ERRORS]
                ],
                # What else the kind keeps of a refusal (a DHIS2 import: its summary).
                **(getattr(refused, "result", None) or {}),
            }
            if upload is not None and upload.is_file() and upload.suffix == ".xlsx":
                from duan8.core import import_errors

                with upload.open("rb") as file:
                    result["annotated"] = import_errors.keep(
                        job.owner, file, refused.errors, kind.columns
                    )
        except Exception:  # the job's failure is its result; the worker goes on
            logger.exception("job %s failed", job.pk)
            state = Job.State.FAILED
            result = {"message": _("The job stopped on an unexpected error; nothing was stored.")}
    finished = {"done": F("total")} if state == Job.State.DONE else {}
    Job.objects.filter(pk=job.pk).update(
        state=state, result=result, output=output, phase="", finished_at=timezone.now(), **finished
    )
    if upload is not None:
        upload.unlink(missing_ok=True)
    return state


@task()
def run_job(job_id: int) -> str:
    return execute(job_id)


def _alive(worker: str) -> bool:
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdecimal():
        return True  # another machine's worker: only its silence tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover() -> int:
    """Queue again the jobs whose worker stopped while running them (a restart of this
    machine's worker, or a worker anywhere silent for ``STALE``): their work was one
    transaction, so nothing of it was stored. Returns how many."""
    now = timezone.now()
    found = 0
    for job in Job.objects.filter(state=Job.State.RUNNING):
        worker = job.worker
        stale = job.heartbeat is None or now - job.heartbeat > STALE
        if stale or not _alive(worker):
            with transaction.atomic():
                Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(
                    state=Job.State.QUEUED, phase="", done=0, total=0
                )
                run_job.enqueue(job.pk)
            found += 1
    return found


def kind_of(job: Job) -> Kind | None:
    return _kinds.get(job.kind)


def large_import(request, kind: str, unit, params: dict, upload, *, back: str):
    """The page's answer when an uploaded file is too large to import within its request:
    the file goes to a background job and the officer to its page. None for a small file,
    which the page imports itself; ``sheets.ImportRefused`` for a file that is no workbook.
    ``back`` is the list the job's page leads back to."""
    from django.shortcuts import redirect

    from duan8.core.middleware import client_ip

    if sheets.data_rows(upload) <= ROWS:
        return None
    job = submit(
        kind,
        request.user,
        unit,
        {**params, "back": back},
        upload=upload,
        source=audit.SOURCE_WEB,
        ip=client_ip(request),
    )
    return redirect("core:job", pk=job.pk)


def export(request, kind: str, unit, records, *, back: str):
    """A page's "Export to Excel" of ``records`` (the list it shows) by the export job kind
    ``kind``: a list of more than ``ROWS`` records goes to a background job and the officer
    to its page; a smaller one is written and streamed at once, in the same columns."""
    from django.shortcuts import redirect

    from duan8.core.middleware import client_ip

    if records.count() <= ROWS:
        spec = _kinds[kind]
        return sheets.xlsx_response(spec.headers, spec.rows_of(records), spec.filename)
    job = submit(
        kind,
        request.user,
        unit,
        {"query": request.GET.urlencode(), "back": back},
        source=audit.SOURCE_WEB,
        ip=client_ip(request),
    )
    return redirect("core:job", pk=job.pk)


def _may_edit(user, unit) -> bool:
    from duan8.core import access

    return access.can(user, access.Action.EDIT, unit)


def import_kind(name: str, do_import, columns, label="", may=_may_edit) -> Kind:
    """A job kind that imports its uploaded file: ``do_import(file, job, progress)`` returns
    what the import stored (``roundtrip.Imported``, with ``notes`` if it has any). The owner
    must still be allowed to (``may(user, unit)``: edit the unit's records) when it runs."""

    def run(job: Job, progress: Progress) -> dict:
        if not may(job.owner, job.unit):
            raise sheets.ImportRefused(
                [sheets.RowError(0, "", _("You may no longer change this unit's records."))]
            )
        with path_of(job.upload).open("rb") as file:
            imported = do_import(file, job, progress)
        return {
            "created": len(imported),
            "updated": len(getattr(imported, "updated", ())),
            "skipped": len(getattr(imported, "skipped", ())),
            "skipped_rows": list(getattr(imported, "skipped", ()))[:100],
            "notes": [str(note) for note in getattr(imported, "notes", ())][:100],
        }

    return Kind(name, run, columns, label)


def export_kind(
    name: str, records_of, rows_of, headers: list[str], filename: str, label=""
) -> Kind:
    """A job kind that writes a list to a workbook: ``records_of(user, query, unit)`` is the
    list the page shows for the query the job keeps, ``rows_of(records)`` its rows."""

    def run(job: Job, progress: Progress) -> dict:
        from django.http import QueryDict

        records = records_of(job.owner, QueryDict(job.params.get("query", "")), job.unit)[0]
        total = records.count()
        progress("writing", 0, total)
        output = f"{job.pk}-{filename}"
        count = sheets.write_workbook(
            path_of(output),
            headers,
            rows_of(records),
            lambda done, of: progress("writing", done, of),
            total,
        )
        path_of(output).chmod(0o600)
        return {"rows": count, "filename": filename, "output": output}

    return Kind(name, run, label=label, headers=headers, rows_of=rows_of, filename=filename)
