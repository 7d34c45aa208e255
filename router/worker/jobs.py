"""The jobs `loket worker` runs. Adding one: a function `(JobContext) -> dict | None` and one
`Job(name, schedule, function)` line in `registered_jobs`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session

from router.domain.org import Organisation
from router.report import delivery as report_delivery
from router.routing.model_registry import ModelRegistry
from router.routing.retrain import corrections_since_current, gate_of, retrain
from router.settings import MailSettings, WorkerSettings
from router.worker.outbox_job import outbox_job, prune_signatures_job, prune_updates_job
from router.worker.retention_job import retention_job
from router.worker.runner import Job, JobContext
from router.worker.schedule import Every, WeeklyAt, parse_daily
from router.worker.sla_job import privacy_reminders_job, sla_check_job
from router.worker.tracker_purge import tracker_purge_job

NLU_DIR = Path("data/nlu")
NEVER = Every(float("inf"))  # only when `also_due` says so


def retrain_job(settings: WorkerSettings, org: Organisation) -> Job:
    """Retrain nightly and after N new corrections; publish only a version that does better."""
    registry = ModelRegistry(settings.model_dir)

    def run(context: JobContext) -> dict[str, Any]:
        with Session(context.engine) as session:
            version, summary = retrain(
                org,
                session,
                registry,
                NLU_DIR,
                settings.tickets_dir,
                gate=gate_of(settings),
                only_if_better=True,
            )
        return {
            "published": version,
            "examples": summary["examples"],
            "comparison": summary["comparison"],
            "automatic": summary["automatic"]["enabled"],
            "triage_rate": summary["metrics"].get("triage_rate"),
            "automatic_precision": summary["metrics"].get("automatic_precision"),
        }

    def enough_corrections(context: JobContext) -> bool:
        if settings.retrain_after_corrections == 0:
            return False
        with Session(context.engine) as session:
            new = corrections_since_current(session, registry)
        return new >= settings.retrain_after_corrections

    schedule = parse_daily(settings.retrain_at, org.sla.timezone) if settings.retrain_at else NEVER
    return Job("retrain", schedule, run, also_due=enough_corrections)


def weekly_report_job(org: Organisation) -> Job:
    """Mail last week's report on LOKET_REPORT_SCHEDULE (default Monday 07:00)."""
    mail = MailSettings()
    timing = report_delivery.schedule(mail, org)

    def run(context: JobContext) -> dict[str, Any]:
        result = report_delivery.send_weekly_reports(context.engine, org, mail, context.now)
        return {"week": result.period.slug, "sent": len(result.sent),
                "skipped": len(result.skipped), "failed": len(result.failed)}  # fmt: skip

    return Job("weekly-report", WeeklyAt(timing.weekday, timing.at, timing.timezone), run)


def registered_jobs(settings: WorkerSettings, org: Organisation) -> list[Job]:
    """Every job of the worker; the tracker store's purge only when its URL is set."""
    jobs = [
        retrain_job(settings, org),
        outbox_job(settings, org),
        prune_updates_job(),
        prune_signatures_job(),
        weekly_report_job(org),
        sla_check_job(org),
        privacy_reminders_job(org),
        retention_job(settings, org),
    ]
    tracker_purge = tracker_purge_job(settings, org)
    return jobs if tracker_purge is None else [*jobs, tracker_purge]
