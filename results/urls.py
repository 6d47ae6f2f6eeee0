from django.urls import include, path

from results.views import catalog, reports, uploads

app_name = "results"
urlpatterns = [
    path("catalog/", catalog.catalog, name="catalog"),
    path("catalog/<int:test_id>/", catalog.catalog_detail, name="catalog_detail"),
    path("uploads/", uploads.upload_list, name="upload_list"),
    path("uploads/<int:upload_id>/", uploads.upload_detail, name="upload_detail"),
    path("uploads/<int:upload_id>/file/", uploads.upload_file, name="upload_file"),
    path("uploads/<int:upload_id>/errors/", uploads.upload_error_report, name="upload_errors"),
    path(
        "schools/<int:school_id>/tests/<int:test_id>/versions/",
        uploads.version_history,
        name="version_history",
    ),
    path("reports/", reports.report_index, name="reports"),
    path("reports/<slug:kind>/", reports.report, name="report"),
    path("reports/<slug:kind>/xlsx/", reports.report_xlsx, name="report_xlsx"),
    path("indicators/", include("results.indicators.urls")),
]
