from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


def healthz(request):
    """For load balancers and monitoring: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _own_job(request, pk):
    """A background job of the signed-in user: nobody else's exists for her (404)."""
    from django.http import Http404

    from duan8.core import jobs

    job = jobs.owned(request.user, pk)
    if job is None:
        raise Http404
    return job


PHASES = {
    "reading": _("Reading the file"),
    "checking": _("Checking each row"),
    "validating": _("Checking the records"),
    "storing": _("Storing in the database (one transaction)"),
    "writing": _("Writing the Excel file"),
}


@login_required
def job_detail(request, pk):
    """A background job's page: its progress while it runs (the status part reloads itself
    every second), then its result — the counts stored, the errors of a refused file with its
    marked copy, or the export to download."""
    from duan8.core import jobs, sheets

    job = _own_job(request, pk)
    kind = jobs.kind_of(job)
    errors = [sheets.RowError(**e) for e in (job.result or {}).get("errors", [])]
    context = {
        "job": job,
        "label": kind.label if kind else job.kind,
        "phase": PHASES.get(job.phase, ""),
        "errors": errors,
        "annotated_url": (job.result or {}).get("annotated"),
        "back": job.params.get("back", ""),
    }
    template = "core/job_status.html" if request.GET.get("part") == "status" else "core/job.html"
    return render(request, template, context)


@login_required
def job_file(request, pk):
    """The file an export job wrote, for its owner."""
    from django.http import Http404

    from duan8.core import jobs

    response = jobs.file_response(_own_job(request, pk))
    if response is None:
        raise Http404
    return response
