"""`loket worker`: the background jobs (retraining now; outbox, SLA checks, reports later)."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import structlog
import typer

log = structlog.get_logger()


def worker(
    once: bool = typer.Option(False, help="Run the jobs that are due now, then stop"),
) -> None:
    """Run the background jobs until SIGINT/SIGTERM; each job runs once across all workers."""
    from pydantic import ValidationError

    from router.domain.org import OrgFileError, load_organisation
    from router.settings import WorkerSettings
    from router.store.engine import make_engine
    from router.store.jobs import AnotherWorker, worker_guard
    from router.worker.jobs import registered_jobs
    from router.worker.runner import Worker

    try:
        settings = WorkerSettings()
        org = load_organisation(settings.org_file)
        jobs = registered_jobs(settings, org)
    except (ValidationError, OrgFileError, ValueError) as exc:
        typer.echo(f"Refusing to start the worker: {exc}", err=True)
        raise typer.Exit(2) from None
    engine = make_engine(settings.database_url)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("router.worker.stopping", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        with worker_guard(engine):
            runner = Worker(engine, jobs)
            if once:
                runner.tick()
            else:
                runner.run_forever(stop, settings.worker_poll_seconds)
    except AnotherWorker as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
