"""Every answer under /api/ is JSON in the client's language, even those the operations do not
give: Django's 404 page for an address the API does not have, Ninja's plain-text 405 for a
method an address does not take, and Django's 500 page."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _detail(request, status: int, allowed: str) -> str:
    if status == 404:
        return _("Not found.")
    if status == 405:
        return _("This address does not take %(method)s requests; it takes %(allowed)s.") % {
            "method": request.method,
            "allowed": allowed or "—",
        }
    if status >= 500:
        return _("The server could not answer this request; the error has been logged.")
    return _("The request is not valid.")


class JsonErrorsMiddleware:
    """Turns an error answer under /api/ that is not JSON into ``{"detail": ...}``; placed
    after ``LocaleMiddleware`` so that the client's language is active. With DUAN8_DEBUG the
    server error page keeps its traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
            or (response.status_code >= 500 and settings.DEBUG)
        ):
            return response
        allowed = response.get("Allow", "")
        answer = JsonResponse(
            {"detail": _detail(request, response.status_code, allowed)},
            status=response.status_code,
        )
        if allowed:
            answer["Allow"] = allowed
        return answer
