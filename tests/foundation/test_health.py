import pytest


@pytest.mark.django_db(transaction=True)
def test_health_reports_a_missing_worker_as_failure(client, settings):
    # No worker consumes this broker in unit tests: the round-trip must time out.
    settings.PORTAL_HEALTH_WORKER_TIMEOUT = 0.5
    settings.CELERY_BROKER_URL = "memory://"
    from vpr_portal.celery import app

    app.conf.broker_url = "memory://"
    try:
        response = client.get("/health/")
    finally:
        app.conf.broker_url = None
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is False
