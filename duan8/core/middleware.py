import ipaddress

from django.conf import settings

from duan8.core import audit

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Everything the pages load comes from the app itself: no CDN, no inline scripts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


def _ip_or_none(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: the one our own reverse proxy appended, when behind one.

    Only the right-most X-Forwarded-For entry is the proxy's; earlier ones are whatever the
    client sent.
    """
    if settings.AUDIT_TRUST_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return _ip_or_none(forwarded.split(",")[-1])
    return _ip_or_none(request.META.get("REMOTE_ADDR", ""))


class AuditContextMiddleware:
    """Attributes audited writes made while serving a request to its user and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path_info.startswith("/api/")
        source = audit.SOURCE_API if api else audit.SOURCE_WEB
        with audit.acting_as(request.user, source=source, ip=client_ip(request)):
            return self.get_response(request)
