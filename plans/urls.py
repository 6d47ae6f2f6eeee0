from django.urls import path

from plans.views import coordinator, importing, items, plan_pages

app_name = "plans"
urlpatterns = [
    path("", plan_pages.index, name="index"),
    # Import: upload or paste, preview and correct, save.
    path("import/", importing.import_upload, name="import"),
    path("import/<int:draft_id>/", importing.import_preview, name="import_preview"),
    path("import/<int:draft_id>/field/", importing.import_field, name="import_field"),
    path("import/<int:draft_id>/save/", importing.import_commit, name="import_commit"),
    path("import/<int:draft_id>/discard/", importing.import_discard, name="import_discard"),
    # A plan as a document.
    path("<int:plan_id>/", plan_pages.plan_detail, name="detail"),
    path("<int:plan_id>/edit/", plan_pages.plan_edit, name="edit"),
    path("<int:plan_id>/status/", plan_pages.plan_status, name="status"),
    path("<int:plan_id>/copy/", plan_pages.plan_copy, name="copy"),
    path("<int:plan_id>/delete/", plan_pages.plan_delete, name="delete"),
    path("<int:plan_id>/timeline/", plan_pages.plan_timeline, name="timeline"),
    path("<int:plan_id>/pdf/", plan_pages.plan_pdf, name="pdf"),
    path("<int:plan_id>/xlsx/", plan_pages.plan_xlsx, name="xlsx"),
    path("<int:plan_id>/sections/add/", plan_pages.section_add, name="section_add"),
    path("sections/<int:section_id>/edit/", plan_pages.section_edit, name="section_edit"),
    path("sections/<int:section_id>/delete/", plan_pages.section_delete, name="section_delete"),
    path("sections/<int:section_id>/items/add/", items.item_add, name="item_add"),
    # Items: inline rows, execution.
    path("items/<int:item_id>/", items.item_row, name="item_row"),
    path("items/<int:item_id>/edit/", items.item_edit, name="item_edit"),
    path("items/<int:item_id>/status/", items.item_status, name="item_status"),
    path("items/<int:item_id>/move/", items.item_move, name="item_move"),
    path("items/<int:item_id>/delete/", items.item_delete, name="item_delete"),
    path("items/<int:item_id>/execution/", items.item_execution, name="item_execution"),
    path("items/<int:item_id>/evidence/", items.evidence_add, name="evidence_add"),
    path("evidence/<int:evidence_id>/", items.evidence_download, name="evidence_download"),
    path("evidence/<int:evidence_id>/delete/", items.evidence_delete, name="evidence_delete"),
    # School coordinators.
    path("mine/", coordinator.my_items, name="my_items"),
    path("mine/<int:item_id>/", coordinator.my_item, name="my_item"),
]
