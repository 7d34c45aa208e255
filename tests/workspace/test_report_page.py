"""The report in the workspace: everyone sees it, admins and coordinators download it, and a
coordinator's version never holds another municipality's figures, whatever they ask for."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from router.store.tables import SatisfactionScore
from tests.report import history
from tests.workspace.conftest import post_form, sign_in

OTHERS = ("Veenhoven", "Polderwaard", "Heuvelrade", "VHN", "PLW", "HRD")
# Tickets of the hand-built history by reference (in the order they were written).
VHN_T2, DYK_T1, DYK_T3 = "M-2026-000002", "M-2026-000001", "M-2026-000003"
WEEK = "/staff/rapportage?week=2026-W18"


@pytest.fixture
async def seeded_web(web, engine, org):
    with Session(engine, expire_on_commit=False) as session:
        history.load(session, org)
    return web


async def test_a_coordinator_sees_only_their_municipality(seeded_web):
    await sign_in(seeded_web, "dirk")
    for query in ("", "&gemeente=VHN", "&municipality=VHN"):
        resp = await seeded_web.get(WEEK + query)
        assert resp.status == 200
        page = await resp.text()
        assert "Weekrapportage Gemeente Dijkstede: week 18" in page
        assert not [word for word in OTHERS if word in page]
        assert VHN_T2 not in page and "34,6" in page  # Dijkstede's own cost share


async def test_a_coordinators_downloads_hold_only_their_figures(seeded_web):
    await sign_in(seeded_web, "dirk")
    resp = await seeded_web.get("/staff/rapportage/download/xlsx?week=2026-W18")
    assert resp.status == 200
    assert "2026-W18-DYK-rapportage.xlsx" in resp.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(await resp.read()))
    cells = [str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row
             if v is not None]  # fmt: skip
    assert "Gemeente Dijkstede" in cells
    assert not [c for c in cells if any(word in c for word in OTHERS)]
    archive = zipfile.ZipFile(io.BytesIO(await (await seeded_web.get(
        "/staff/rapportage/download/csv?week=2026-W18")).read()))  # fmt: skip
    text = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "Dijkstede" in text and not [w for w in OTHERS if w in text]
    html = await (await seeded_web.get("/staff/rapportage/download/html?week=2026-W18")).text()
    assert html.startswith("<!doctype html>") and not [w for w in OTHERS if w in html]


async def test_servicedesk_sees_all_but_does_not_download(seeded_web):
    await sign_in(seeded_web, "sanne")
    page = await (await seeded_web.get(WEEK)).text()
    assert "Weekrapportage ICT-samenwerking De Delta" in page and "Veenhoven" in page
    assert "/staff/rapportage/download/" not in page
    resp = await seeded_web.get("/staff/rapportage/download/xlsx?week=2026-W18")
    assert resp.status == 403


async def test_an_admin_downloads_the_whole_report(seeded_web):
    await sign_in(seeded_web, "ada")
    resp = await seeded_web.get("/staff/rapportage/download/html?week=2026-W18")
    assert resp.status == 200 and "attachment" in resp.headers["Content-Disposition"]
    html = await resp.text()
    assert all(name in html for name in ("Dijkstede", "Veenhoven", "Polderwaard", "Heuvelrade"))
    assert (await seeded_web.get("/staff/rapportage?week=2026-W99")).status == 422


async def test_anonymous_gets_nothing(seeded_web):
    resp = await seeded_web.get(WEEK, allow_redirects=False)
    assert resp.status in (302, 303)
    resp = await seeded_web.get("/staff/rapportage/download/html", allow_redirects=False)
    assert resp.status in (302, 303)


async def test_recording_a_score_given_by_phone(seeded_web, engine):
    await sign_in(seeded_web, "dirk")
    page = f"/staff/meldingen/{DYK_T1}/tevredenheid"
    resp = await post_form(seeded_web, page, {"score": "4", "opmerking": "snel geholpen"},
                           page=page)  # fmt: skip
    assert resp.status == 303
    assert "4</strong>/5" in await (await seeded_web.get(page)).text()
    bad = await post_form(seeded_web, page, {"score": "9"}, page=page)
    assert bad.status == 422
    # another municipality's ticket is answered like one that does not exist
    other = f"/staff/meldingen/{VHN_T2}/tevredenheid"
    assert (await seeded_web.get(other)).status == 404
    assert (await post_form(seeded_web, other, {"score": "1"}, page=page)).status == 404
    with Session(engine) as session:
        scores = session.exec(select(SatisfactionScore).where(
            SatisfactionScore.recorded_by == "dirk")).all()  # fmt: skip
    assert [(s.score, s.remark, s.channel) for s in scores] == [(4, "snel geholpen", "telefoon")]
