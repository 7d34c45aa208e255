"""Anonymising old tickets changes no figure of the report: the report over the hand-built
history of tests/report/history.py, its tickets closed or withdrawn (with comments, notes and
satisfaction remarks), is built before and after the retention job; every figure is equal."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from router.domain.retention import PLACEHOLDER
from router.domain.vocabulary import EventKind, Status
from router.report.history import History, Step, insert_histories
from router.report.period import iso_week
from router.report.queries import build_report
from router.store.tables import SatisfactionScore, Ticket
from router.worker.retention_job import anonymise_expired
from tests.report import history
from tests.report.conftest import NOW
from tests.report.history import at, may

LATER = datetime(2028, 6, 1, 1, 0, tzinfo=UTC)  # every ticket closed in 2026 is past 24 months


def _finished(histories: dict[str, History]) -> dict[str, History]:
    """The history with its resolved tickets closed, a callback withdrawn, texts added."""
    for name in ("T1", "T2", "T3", "T4", "T5", "T6", "T9", "T11"):
        histories[name].steps.append(
            Step(may(2, 10), EventKind.status, Status.closed, note="Anna de Vries: akkoord")
        )
    histories["T10"].status(at(24, 9), Status.closed)  # the week before
    histories["T12"].steps.append(
        Step(may(1, 16), EventKind.status, Status.withdrawn, "reporter", note="Anna belt zelf")
    )
    histories["T1"].comment(at(27, 11), "Anna de Vries, kamer 2.14, belt de leverancier")
    histories["T5"].comment(at(30, 15), "Bert Bakker wacht op Centric")
    return histories


def _load(engine, org) -> dict[str, int]:
    named = _finished(history.histories())
    with Session(engine) as session:
        ids = dict(zip(named, insert_histories(session, org, named.values(), reporter="anna"),
                       strict=True))  # fmt: skip
        for name, score in (("T1", 4), ("T3", 2), ("T2", 5), ("T7", 3)):
            session.add(SatisfactionScore(
                ticket_id=ids[name], score=score, remark=f"{name}: Anna was tevreden",
                channel="telefoon", recorded_by="sanne", at=may(1, 12),
            ))  # fmt: skip
        session.commit()
    return ids


def _figures(engine, org) -> dict:
    """Every figure of the reports of the last two weeks, whole and for Dijkstede."""
    out = {}
    for week in ("2026-W17", "2026-W18"):
        for municipality in (None, "DYK"):
            with Session(engine) as session:
                report = build_report(session, org, iso_week(week, org.sla.timezone),
                                      municipality=municipality, now=NOW)  # fmt: skip
            out[week, municipality] = (
                report.headline,
                [(t.key, t.title, t.columns, t.rows, t.note) for t in report.tables],
                report.all_notes,
            )
    return out


def test_the_report_figures_are_identical_before_and_after_anonymisation(engine, org):
    ids = _load(engine, org)
    before = _figures(engine, org)
    counts = anonymise_expired(engine, months=24, now=LATER)
    assert counts["tickets"] == 10 and counts["remarks"] == 3  # T7 and T8 are still open
    with Session(engine) as session:
        texts = {t.id: (t.title, t.description) for t in session.exec(select(Ticket)).all()}
    assert texts[ids["T1"]] == (PLACEHOLDER, PLACEHOLDER)
    assert texts[ids["T7"]] == ("scherm zwart", "scherm zwart")
    after = _figures(engine, org)
    assert after == before
    volume = dict(before["2026-W18", None][0])
    assert volume["Opgelost"] != "0"  # the report has figures to compare
