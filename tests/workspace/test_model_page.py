"""Admins see the router's model versions with their figures and can go back to one."""

from __future__ import annotations

import pytest

from router.routing import textmodel
from router.routing.model_registry import ModelRegistry
from tests.fixtures import SAMPLE_ORG, TEST_TOKEN
from tests.workspace.conftest import csrf_token, post_form, sign_in


@pytest.fixture
def registry(tmp_path):
    return ModelRegistry(tmp_path / "models")


@pytest.fixture
async def web(aiohttp_client, database_url, org, accounts, registry):
    from router.app import create_app
    from router.settings import Settings

    settings = Settings(
        service_token=TEST_TOKEN,
        database_url=database_url,
        org_file=SAMPLE_ORG,
        model_dir=registry.directory,
    )
    return await aiohttp_client(create_app(settings, org))


def _publish(registry, triage_rate):
    examples = [
        textmodel.Example(t, None, d)
        for t, d in [("beeld zwart", "werkplek"), ("geen netwerk", "netwerk")]
        for _ in range(4)
    ]
    figures = {"rows": 250, "triage_rate": triage_rate, "automatic_precision": 0.93, "right": 0.7}
    auto = {"enabled": True, "threshold": 0.61, "real_examples": 250, "destinations": []}
    return registry.publish(
        textmodel.train(examples),
        {"metrics": figures, "automatic": auto, "route_threshold": 0.61},
    )


async def test_admin_sees_versions_with_figures_and_rolls_back(web, registry):
    first = _publish(registry, 0.41)
    second = _publish(registry, 0.28)
    await sign_in(web, "ada")
    page = await (await web.get("/staff/model")).text()
    assert f"{second} <strong>(in gebruik)</strong>" in page
    assert "41 %" in page and "28 %" in page and "93 %" in page
    resp = await post_form(web, f"/staff/model/{first}/actief", {}, page="/staff/model")
    assert resp.status == 303 and resp.headers["Location"] == "/staff/model?ok=model"
    assert registry.current_version() == first
    page = await (await web.get("/staff/model")).text()
    assert f"{first} <strong>(in gebruik)</strong>" in page


async def test_rollback_needs_an_admin_and_a_csrf_token(web, registry):
    first = _publish(registry, 0.41)
    second = _publish(registry, 0.28)
    await sign_in(web, "sanne")  # servicedesk
    assert (await web.get("/staff/model", allow_redirects=False)).status == 403
    resp = await post_form(web, f"/staff/model/{first}/actief", {}, page="/staff/triage")
    assert resp.status == 403
    await web.post("/staff/logout", data={"csrf_token": await csrf_token(web, "/staff/triage")})
    await sign_in(web, "ada")
    resp = await web.post(f"/staff/model/{first}/actief", data={}, allow_redirects=False)
    assert resp.status == 403  # no CSRF token
    assert registry.current_version() == second
    resp = await post_form(web, "/staff/model/router-bestaat-niet/actief", {}, page="/staff/model")
    assert resp.status == 404
