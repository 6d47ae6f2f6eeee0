"""Development server plus a real Celery worker (with beat), for `make run`.

With no broker configured the worker uses the embedded filesystem broker, so a
fresh machine needs no external service; jobs still run in a separate process,
never in eager mode.
"""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def worker_command(*, with_beat: bool) -> list[str]:
    command = [
        sys.executable, "-m", "celery", "-A", "vpr_portal", "worker",
        "--loglevel=INFO", "--concurrency=2",
        # The filesystem broker has no broadcast: skip the cluster chatter that needs it.
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    if with_beat:
        command += ["--beat", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME]
    return command


class Command(BaseCommand):
    help = "Запускает веб-сервер разработки и фоновый обработчик Celery."

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--noreload", action="store_true")

    def handle(self, *args, addrport: str, noreload: bool, **options) -> None:
        worker = None
        # The autoreloader re-runs this command in a child with RUN_MAIN set;
        # only the outer process owns the worker, so reloads don't multiply it.
        if os.environ.get("RUN_MAIN") != "true":
            # Stopped with SIGTERM (not Ctrl-C)? Still run the clean-up below.
            signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
            worker = subprocess.Popen(worker_command(with_beat=True))
            self.stdout.write(
                f"Celery worker started (pid {worker.pid}), broker: {settings.CELERY_BROKER_URL}"
            )
        try:
            call_command("runserver", addrport, use_reloader=not noreload)
        finally:
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
