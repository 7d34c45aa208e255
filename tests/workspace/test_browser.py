"""The workspace in a real browser: Playwright driving Debian's chromium (never a download).

Screenshots of the triage queue and a ticket page go to test-artifacts/workspace/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from tests.workspace.conftest import PASSWORD, new_ticket

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "workspace"
ATTACK = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


@pytest.fixture
async def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium with apt-get")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        await browser.close()


async def test_sign_in_triage_reassign_resolve_and_audit_trail(
    aiohttp_server, app, accounts, tickets, engine, org, browser, database_url
):
    with Session(engine) as session:
        attack = new_ticket(session, org, "HRD", ATTACK, triage=True)
        session.commit()
    server = await aiohttp_server(app)
    base = str(server.make_url("")).rstrip("/")
    shots = ARTIFACTS / database_url.split(":", 1)[0].split("+", 1)[0]
    shots.mkdir(parents=True, exist_ok=True)
    page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))

    # sign in (the unsigned-in request lands on the sign-in page and comes back)
    await page.goto(f"{base}/staff/triage")
    await page.get_by_label("Gebruikersnaam").fill("sanne")
    await page.get_by_label("Wachtwoord").fill(PASSWORD)
    await page.get_by_role("button", name="Aanmelden").click()
    await page.wait_for_url(f"{base}/staff/triage")
    await page.get_by_role("heading", name="Triagewachtrij").wait_for()
    await page.screenshot(path=str(shots / "triage.png"), full_page=True)

    # one click accepts the router's first suggestion for the Dijkstede ticket
    card = page.locator(f'article[data-reference="{tickets.dyk}"]')
    await card.get_by_test_id("accept-werkplek").click()
    await page.get_by_text("Suggestie overgenomen").wait_for()
    assert await page.locator(f'article[data-reference="{tickets.dyk}"]').count() == 0

    # another destination for the Veenhoven ticket, with a reason
    card = page.locator(f'article[data-reference="{tickets.vhn}"]')
    await card.get_by_label("Andere bestemming").select_option("netwerk")
    await card.get_by_label("Reden").fill("Gaat over de VPN-verbinding")
    await card.get_by_role("button", name="Doorsturen").click()
    await page.get_by_text("Melding doorgestuurd").wait_for()

    # resolve the accepted ticket on its page, then read its audit trail
    await page.goto(f"{base}/staff/meldingen/{tickets.dyk}")
    await page.get_by_label("Oplossing").fill("Printerdriver opnieuw geïnstalleerd")
    await page.get_by_role("button", name="Oplossen").click()
    await page.get_by_text("Melding opgelost.").wait_for()
    assert "Opgelost" in await page.get_by_test_id("status").inner_text()
    audit = await page.get_by_test_id("audit").inner_text()
    for step in (
        "Aangemaakt",
        "Doorgestuurd (correctie)",
        "Suggestie van de router overgenomen",
        "Printerdriver opnieuw geïnstalleerd",
        "door sanne",
    ):
        assert step in audit, step
    await page.screenshot(path=str(shots / "ticket.png"), full_page=True)

    await page.goto(f"{base}/staff/meldingen/{tickets.vhn}")
    assert "Netwerk" in await page.get_by_test_id("destination").inner_text()
    assert "Gaat over de VPN-verbinding" in await page.get_by_test_id("audit").inner_text()

    # a script in a ticket's text is shown as text and never runs
    await page.goto(f"{base}/staff/meldingen/{attack}")
    assert ATTACK in await page.get_by_test_id("description").inner_text()
    await page.goto(f"{base}/staff/triage")
    assert await page.evaluate("window.__pwned") is None and dialogs == []
    await page.screenshot(path=str(shots / "triage-after.png"), full_page=True)
    await page.goto(f"{base}/staff/meldingen?status=alle")
    await page.get_by_label("Alles selecteren").check()  # the one script: select all
    assert await page.locator('input[name="ref"]:checked').count() == 4
    await page.screenshot(path=str(shots / "queue.png"), full_page=True)

    # sign out
    await page.get_by_role("button", name="Afmelden").click()
    await page.get_by_text("U bent afgemeld.").wait_for()
    await page.goto(f"{base}/staff/triage")
    await page.get_by_role("heading", name="Aanmelden").wait_for()
    await page.close()
