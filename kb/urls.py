from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from kb import api, views, views_triage

site_patterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("codes/", views.CodeListView.as_view(), name="code-list"),
    path("codes/<str:code>/", views.code_detail, name="code"),
    path("rows/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("catalog.<str:format>", views.catalog_download, name="catalog-download"),
    path("diagnose/signature/", views.signature_checker, name="signature-checker"),
    path("triage/", views_triage.triage_page, name="triage"),
    path("faq/", views.faq_list, name="faq-list"),
    path("faq/<slug:slug>/", views.faq_detail, name="faq"),
]

api_patterns = [
    path("search", api.search_view, name="search"),
    path("codes/<str:code>", api.code_view, name="code"),
    path("openapi.json", api.openapi_view, name="openapi"),
    path("triage", api.triage_view, name="triage"),
]

# Pages carry their language (/zh-hans/..., /en/...); a path without one, such as
# /codes/APIG.0201/, is redirected by LocaleMiddleware to the reader's language. First:
# the pages are most of what is asked, and no other route starts with a language.
urlpatterns = i18n_patterns(path("", include((site_patterns, "kb"))))
urlpatterns += [
    # Ahead of the admin's own URLs, which would answer it with a 404.
    path("admin/insight/", include("kb.insight.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_patterns, "api"))),
]

handler500 = "kb.outage.server_error"
# /healthz and /readyz are answered by kb.health.ProbeMiddleware, ahead of these routes.
