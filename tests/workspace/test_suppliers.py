"""The supplier page (regie): open and overdue tickets, median times against the contract in
the supplier's business hours, and the tickets whose answer was sent back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from router.domain.contract_figures import Resolved, contract_figures
from router.domain.vocabulary import Status
from router.store import tickets as store
from tests.workspace.conftest import new_ticket, sign_in


def test_figures_count_business_hours_in_the_suppliers_calendar_without_waiting(org):
    friday_4pm = datetime(2026, 4, 24, 14, 0, tzinfo=UTC)  # 16:00 in Amsterdam
    tuesday_10am = datetime(2026, 4, 28, 8, 0, tzinfo=UTC)  # Koningsdag (Monday) lies between
    resolved = [
        Resolved("P2", friday_4pm, friday_4pm + timedelta(minutes=30), tuesday_10am),
        Resolved("P2", friday_4pm, None, tuesday_10am, paused_seconds=3600),
    ]
    figures = {f.priority: f for f in contract_figures(
        resolved, org.calendar("centric"), lambda p: org.response_hours("centric", p),
        lambda p: org.resolution_hours("centric", p),
    )}  # fmt: skip
    p2 = figures["P2"]
    # Friday 16-17 and Tuesday 8-10: 3 business hours; the second waited one of them.
    assert (p2.tickets, p2.median_resolution_hours, p2.median_response_hours) == (2, 2.5, 0.5)
    assert p2.resolution_target == org.resolution_hours("centric", "P2")
    assert p2.within_target == 1.0
    assert figures["P1"].tickets == 0 and figures["P1"].median_resolution_hours is None


def _centric_tickets(engine, org) -> tuple[str, str, str]:
    """A late open ticket, a resolved and reopened one in Dijkstede; one in Veenhoven."""
    with Session(engine) as session:
        late = new_ticket(session, org, "DYK", "Key2Burgerzaken loopt vast", triage=False)
        back = new_ticket(session, org, "DYK", "Uittreksel blijft leeg", triage=False)
        other = new_ticket(session, org, "VHN", "Key2Burgerzaken Veenhoven traag", triage=False)
        store.get_ticket(session, late).sla_due_at = datetime.now(UTC) - timedelta(hours=2)
        store.change_status(session, reference=back, status=Status.resolved, actor="centric")
        store.change_status(session, reference=back, status=Status.reopened, actor="sanne")
        done = new_ticket(session, org, "DYK", "Reisdocument niet te printen", triage=False)
        store.change_status(session, reference=done, status=Status.resolved, actor="centric")
        session.commit()
    return late, back, other


async def test_the_supplier_page_shows_late_and_sent_back_tickets(web, engine, org):
    late, back, other = _centric_tickets(engine, org)
    await sign_in(web, "sanne")
    listing = await (await web.get("/staff/leveranciers")).text()
    assert '<a href="/staff/leveranciers/centric">Centric</a>' in listing
    page = await (await web.get("/staff/leveranciers/centric")).text()
    open_part = page.split('data-testid="supplier-open"')[1].split("</table>")[0]
    assert late in open_part and back in open_part and other in open_part
    assert open_part.count("Over tijd") == 1
    sent_back = page.split('data-testid="supplier-reopened"')[1].split("</table>")[0]
    assert back in sent_back and late not in sent_back
    figures = page.split('data-testid="contract-figures"')[1].split("</table>")[0]
    rows = [r.split("</td>")[:2] for r in figures.split("<tr>")[2:]]
    counts = {r[0].strip().removeprefix("<td>"): r[1].strip().removeprefix("<td>") for r in rows}
    assert counts == {"P1": "0", "P2": "0", "P3": "1", "P4": "0"}  # the reopened one is not done


async def test_a_coordinator_sees_only_their_municipalitys_tickets_of_a_supplier(web, engine, org):
    late, back, other = _centric_tickets(engine, org)
    await sign_in(web, "dirk")  # coordinator of Dijkstede
    page = await (await web.get("/staff/leveranciers/centric")).text()
    assert late in page and back in page and other not in page


async def test_an_unknown_supplier_or_period_is_refused_in_dutch(web):
    await sign_in(web, "sanne")
    missing = await web.get("/staff/leveranciers/acme")
    assert missing.status == 404 and "niet in het organisatiebestand" in await missing.text()
    bad = await web.get("/staff/leveranciers/centric?dagen=veel")
    assert bad.status == 422 and "aantal dagen, van 1 tot en met 366" in await bad.text()


async def test_the_supplier_pages_need_a_signed_in_staff_member(web):
    resp = await web.get("/staff/leveranciers/centric", allow_redirects=False)
    assert resp.status in (302, 303) and "/staff/login" in resp.headers["Location"]
