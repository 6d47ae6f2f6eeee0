"""Background jobs of the results app: thin, taking ids, safe to run twice."""

from celery import shared_task

from results.services import retention, uploads


@shared_task(name="results.import_upload")
def import_upload(upload_id: int) -> None:
    uploads.process_upload(upload_id=upload_id)


@shared_task(name="results.purge_pupil_rows")
def purge_pupil_rows() -> None:
    """Monthly (beat): pupils' rows past the retention period (results.services.retention)."""
    retention.purge_pupil_rows()
