from django.urls import path

from observers.views import acts, assignments, overview, registry, schedule

app_name = "observers"
urlpatterns = [
    path("", overview.index, name="index"),
    # registry (staff)
    path("registry/", registry.observer_list, name="observer_list"),
    path("registry/new/", registry.observer_edit, name="observer_create"),
    path("registry/import/", registry.observer_import, name="observer_import"),
    path("registry/<int:observer_id>/", registry.observer_detail, name="observer_detail"),
    path("registry/<int:observer_id>/edit/", registry.observer_edit, name="observer_edit"),
    path("registry/<int:observer_id>/status/", registry.observer_status, name="observer_status"),
    path("registry/<int:observer_id>/ties/", registry.tie_add, name="tie_add"),
    path(
        "registry/<int:observer_id>/ties/<int:tie_id>/delete/",
        registry.tie_delete,
        name="tie_delete",
    ),
    # VPR schedule (staff and school coordinators)
    path("schedule/", schedule.schedule, name="schedule"),
    path("schedule/new/", schedule.session_edit, name="session_create"),
    path("schedule/import/", schedule.schedule_import, name="schedule_import"),
    path("schedule/<int:session_id>/", schedule.session_detail, name="session_detail"),
    path("schedule/<int:session_id>/edit/", schedule.session_edit, name="session_edit"),
    path("schedule/<int:session_id>/delete/", schedule.session_delete, name="session_delete"),
    path("schedule/<int:session_id>/assign/", assignments.assign, name="assign"),
    # planning and assignments (staff)
    path("planning/", assignments.planning, name="planning"),
    path("planning/confirm/", assignments.planning_confirm, name="planning_confirm"),
    path(
        "assignments/<int:assignment_id>/cancel/",
        assignments.assignment_cancel,
        name="assignment_cancel",
    ),
    path("refusals/", assignments.refusal_list, name="refusal_list"),
    # the act, filed by the observer from a phone
    path("assignments/<int:assignment_id>/act/", acts.act_edit, name="act_edit"),
    path("assignments/<int:assignment_id>/act/autosave/", acts.act_autosave, name="act_autosave"),
    path("assignments/<int:assignment_id>/act/submit/", acts.act_submit, name="act_submit"),
    path(
        "assignments/<int:assignment_id>/act/photos/",
        acts.act_photo_upload,
        name="act_photo_upload",
    ),
    path(
        "assignments/<int:assignment_id>/act/photos/<int:photo_id>/delete/",
        acts.act_photo_delete,
        name="act_photo_delete",
    ),
    path("photos/<int:photo_id>/", acts.photo_file, name="photo_file"),
    # acts: review and print
    path("acts/", acts.act_list, name="act_list"),
    path("acts/<int:act_id>/", acts.act_detail, name="act_detail"),
    path("acts/<int:act_id>/review/", acts.act_review, name="act_review"),
    path("acts/<int:act_id>/pdf/", acts.act_pdf, name="act_pdf"),
    # coverage (МУКО indicator)
    path("coverage/", overview.coverage, name="coverage"),
]
