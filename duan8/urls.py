from django.urls import include, path
from django.views.i18n import set_language

from duan8.api.api import api

urlpatterns = [
    path("", include("duan8.core.urls")),
    path("", include("duan8.accounts.urls")),
    path("", include("duan8.geo.urls")),
    path("", include("duan8.framework.urls")),
    path("", include("duan8.community.urls")),
    path("", include("duan8.activities.urls")),
    path("", include("duan8.finance.urls")),
    path("", include("duan8.maternal.urls")),
    path("", include("duan8.benefits.urls")),
    path("", include("duan8.reporting.urls")),
    path("", include("duan8.analytics.urls")),
    path("", include("duan8.reportforms.urls")),
    path("", include("duan8.documents.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
]
