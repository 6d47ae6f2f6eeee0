"""A task whose work kills its own worker process (a file that crashes the parser).

Loaded only by the workers of tests/foundation/test_job_recovery_workers.py (--include).
"""

import os
import signal

from celery import shared_task

from vpr_portal.jobs import run_job_body


@shared_task(name="tests.kill_own_worker")
def kill_own_worker(job_id: int) -> None:
    run_job_body(job_id, lambda reporter: os.kill(os.getpid(), signal.SIGKILL))
