"""Background jobs of the results app: thin, taking ids, safe to run twice."""

from celery import shared_task

from results.services import uploads


@shared_task(name="results.import_upload")
def import_upload(upload_id: int) -> None:
    uploads.process_upload(upload_id=upload_id)
