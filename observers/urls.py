from django.urls import path

from observers import views

app_name = "observers"
urlpatterns = [
    path("", views.index, name="index"),
    # registry (staff)
    path("registry/", views.observer_list, name="observer_list"),
    path("registry/new/", views.observer_edit, name="observer_create"),
    path("registry/import/", views.observer_import, name="observer_import"),
    path("registry/<int:observer_id>/", views.observer_detail, name="observer_detail"),
    path("registry/<int:observer_id>/edit/", views.observer_edit, name="observer_edit"),
    path("registry/<int:observer_id>/status/", views.observer_status, name="observer_status"),
    path("registry/<int:observer_id>/ties/", views.tie_add, name="tie_add"),
    path(
        "registry/<int:observer_id>/ties/<int:tie_id>/delete/",
        views.tie_delete,
        name="tie_delete",
    ),
    # VPR schedule (staff and school coordinators)
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/new/", views.session_edit, name="session_create"),
    path("schedule/import/", views.schedule_import, name="schedule_import"),
    path("schedule/<int:session_id>/", views.session_detail, name="session_detail"),
    path("schedule/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("schedule/<int:session_id>/delete/", views.session_delete, name="session_delete"),
    path("schedule/<int:session_id>/assign/", views.assign, name="assign"),
    # planning and assignments (staff)
    path("planning/", views.planning, name="planning"),
    path("planning/confirm/", views.planning_confirm, name="planning_confirm"),
    path(
        "assignments/<int:assignment_id>/cancel/", views.assignment_cancel, name="assignment_cancel"
    ),
    path("refusals/", views.refusal_list, name="refusal_list"),
    # the act, filed by the observer from a phone
    path("assignments/<int:assignment_id>/act/", views.act_edit, name="act_edit"),
    path("assignments/<int:assignment_id>/act/autosave/", views.act_autosave, name="act_autosave"),
    path("assignments/<int:assignment_id>/act/submit/", views.act_submit, name="act_submit"),
    path(
        "assignments/<int:assignment_id>/act/photos/",
        views.act_photo_upload,
        name="act_photo_upload",
    ),
    path(
        "assignments/<int:assignment_id>/act/photos/<int:photo_id>/delete/",
        views.act_photo_delete,
        name="act_photo_delete",
    ),
    path("photos/<int:photo_id>/", views.photo_file, name="photo_file"),
    # acts: review and print
    path("acts/", views.act_list, name="act_list"),
    path("acts/<int:act_id>/", views.act_detail, name="act_detail"),
    path("acts/<int:act_id>/review/", views.act_review, name="act_review"),
    path("acts/<int:act_id>/pdf/", views.act_pdf, name="act_pdf"),
    # coverage (МУКО indicator)
    path("coverage/", views.coverage, name="coverage"),
]
