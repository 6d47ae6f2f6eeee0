"""The act as a PDF in the layout of the Moscow Oblast 2021 form, rendered as a job.

The layout follows the form appended to the order of the Moscow Oblast Ministry of
Education of 24.02.2021 № Р-98: underlined fields, the stage underlined, the
checklist with boxes, comments and the observer's signature line.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from observers.models import Act, Stage, ViolationType
from vpr_portal.jobs import JobReporter, UserFacingError, run_job_body
from vpr_portal.models import Job
from vpr_portal.pdf import render_pdf


def act_print_context(act: Act) -> dict:
    """Everything the print template needs, with the whole checklist (ticked or not)."""
    assignment = act.assignment
    session = assignment.session
    chosen = set(act.violations.values_list("pk", flat=True))
    # Retired checklist items still print if this act ticked them.
    checklist = [
        (violation, violation.pk in chosen)
        for violation in ViolationType.objects.filter(Q(is_active=True) | Q(pk__in=chosen))
    ]
    return {
        "act": act,
        "assignment": assignment,
        "session": session,
        "school": session.school,
        "observer": assignment.observer,
        "stages": [(value, label, value == act.stage) for value, label in Stage.choices],
        "checklist": checklist,
        "photos": list(act.photos.all()),
        "printed_at": timezone.localtime(),
    }


def render_act_pdf(act: Act) -> bytes:
    return render_pdf("observers/print/act.html", act_print_context(act))


def run_act_pdf_job(*, job_id: int) -> None:
    """Job body: render the act named in the job's params and attach the file."""

    def body(reporter: JobReporter) -> dict:
        params = Job.objects.values_list("params", flat=True).get(pk=job_id)
        act = (
            Act.objects.select_related(
                "assignment__observer",
                "assignment__session__school__municipality",
                "assignment__session__test",
                "reviewed_by",
            )
            .filter(pk=params.get("act_id"))
            .first()
        )
        if act is None:
            raise UserFacingError("Акт не найден: возможно, он удалён.")
        reporter.progress(1, 3, "Собираем данные акта")
        content = render_act_pdf(act)
        reporter.progress(2, 3, "Сохраняем файл")
        reporter.save_output(filename=f"akt-nablyudeniya-{act.pk}.pdf", content=content)
        return {"act_id": act.pk}

    run_job_body(job_id, body)
