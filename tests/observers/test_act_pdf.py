"""The act printed as PDF in the Moscow Oblast 2021 form layout, rendered as a background job."""

import datetime
import subprocess

import pytest
from django.urls import reverse

from observers.models import ViolationType
from observers.services import acts as act_services
from tests import factories
from tests.conftest import require_binary
from vpr_portal.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed_act(observer, session):
    assignment = factories.AssignmentFactory(observer=observer, session=session)
    act_services.save_act_draft(
        assignment=assignment,
        draft=act_services.ActDraft(
            observed_from=datetime.time(8, 50),
            observed_to=datetime.time(9, 50),
            stage="test",
            violation_ids=list(
                ViolationType.objects.filter(code__in=["late-entry", "outsiders"]).values_list(
                    "pk", flat=True
                )
            ),
            comments="В аудитории находилась бабушка ученика.",
        ),
    )
    return act_services.submit_act(assignment=assignment)


def test_staff_print_the_act_through_a_job(
    client,
    staff_user,
    filed_act,
    media_root,
    tmp_path,
    django_capture_on_commit_callbacks,
    eager_celery,
):
    pdftotext = require_binary("pdftotext", "poppler-utils")
    pdffonts = require_binary("pdffonts", "poppler-utils")
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("observers:act_pdf", args=[filed_act.pk]))
    job = Job.objects.get(kind="observer_act_pdf")
    assert response.status_code == 302 and response["Location"] == reverse(
        "job_detail", args=[job.pk]
    )
    assert (job.status, job.progress, job.created_by) == (JobStatus.SUCCEEDED, 100, staff_user)

    download = client.get(reverse("job_download", args=[job.pk]))
    path = tmp_path / "act.pdf"
    path.write_bytes(b"".join(download.streaming_content))
    text = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True
    ).stdout
    words = " ".join(text.split())
    assert "Московской области от 24.02.2021 № Р-98" in words
    assert "1 из 1" in words  # one page, like the paper form
    assert "АКТ" in text and "общественного наблюдения за проведением ВПР" in text
    assert filed_act.assignment.session.school.full_name in words
    assert "Русский язык" in text and "4А" in text and "08:50" in text and "09:50" in text
    lines = text.splitlines()
    ticked = [line for line in lines if "☒" in line]
    assert any("после звонка" in line for line in ticked)
    assert any("посторонние лица" in line for line in ticked)
    assert not any("Нарушений не выявлено" in line for line in ticked)
    assert "В аудитории находилась бабушка ученика." in text
    assert "Белова Т. И." in text
    fonts = subprocess.run([pdffonts, str(path)], capture_output=True, text=True).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(row.split()[-5] == "yes" for row in rows)  # every font embedded


def test_the_observer_may_print_their_own_act_but_not_anothers(
    client, observer_user, filed_act, municipality, session
):
    client.force_login(observer_user)
    assert client.post(reverse("observers:act_pdf", args=[filed_act.pk])).status_code == 302
    other = factories.AssignmentFactory(
        observer=factories.ObserverFactory(municipality=municipality), session=session
    )
    act_services.save_act_draft(assignment=other, draft=act_services.ActDraft(no_violations=True))
    other_act = other.act
    assert client.post(reverse("observers:act_pdf", args=[other_act.pk])).status_code == 404
