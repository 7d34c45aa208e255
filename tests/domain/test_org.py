"""The organisation file: the sample loads; every kind of mistake gets one clear message."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from router.domain.org import OrgFileError, UnknownName, load_organisation
from tests.fixtures import SAMPLE_ORG


def test_sample_holds_the_contract(org):
    assert [m.key for m in org.municipalities] == ["DYK", "VHN", "PLW", "HRD"]
    assert org.municipality("dijkstede") is None  # names and keys only; synonyms are NLU's job
    assert org.municipality("dyk").name == "Gemeente Dijkstede"
    key2bz = org.application("k2b")
    assert key2bz.name == "Key2Burgerzaken"
    assert key2bz.routes == {"DYK": "centric", "VHN": "centric"}
    assert org.application("ibz").routes == {"PLW": "pinkroccade", "HRD": "pinkroccade"}
    assert org.destination_name("pinkroccade") == "PinkRoccade Local Government"
    assert org.priority("high", "high") == "P1"
    assert org.priority("low", "low") == "P4"
    assert org.sla.targets_hours == {"P1": 4, "P2": 9, "P3": 27, "P4": 45}
    assert org.sla.response_hours == {"P1": 0.5, "P2": 2, "P3": 4, "P4": 9}
    assert org.destination_contact("centric") == "servicedesk@centric.example"
    assert org.destination_contact("werkplek") == "werkplekbeheer@de-delta.example"
    assert org.privacy_officer.email == "fg@de-delta.example"


def _domain(raw: dict, name: str) -> dict:
    return next(d for d in raw["domains"] if d["name"] == name)


def _write(tmp_path, mutate) -> str:
    raw = yaml.safe_load(SAMPLE_ORG.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda r: r["applications"][0]["routes"].update(DYK="centrc"),
            "applications[0] (Key2Burgerzaken).routes.DYK: unknown team or supplier 'centrc'",
        ),
        (
            lambda r: r["applications"][0]["routes"].update(XYZ="centric"),
            "unknown municipality 'XYZ'",
        ),
        (
            lambda r: r["teams"].append({"key": "werkplek", "name": "Nog een werkplek"}),
            "teams + suppliers: duplicate key 'werkplek'",
        ),
        (
            lambda r: r["municipalities"][1].pop("email_domain"),
            "municipalities.1.email_domain: missing field",
        ),
        (
            lambda r: r["routing"].update(triage="helpdesk"),
            "routing.triage: unknown team or supplier 'helpdesk'",
        ),
        (
            lambda r: r["applications"][1]["synonyms"].append("k2b"),
            "'k2b' is also used by Key2Burgerzaken",
        ),
        (
            lambda r: r["applications"][1].update(hint_words=["key2bz"]),
            "'key2bz' is also used by Key2Burgerzaken",
        ),
        (
            lambda r: r["municipalities"][0].update(colour="blue"),
            "municipalities.0.colour: unknown field",
        ),
        (
            lambda r: r["applications"][0].update(domain="burgerzakne"),
            "applications[0] (Key2Burgerzaken).domain: unknown domain 'burgerzakne'",
        ),
        (
            lambda r: r["use_questions"].update({"sociaal": "fb-sociaal"}),
            "use_questions.sociaal: unknown domain 'sociaal'",
        ),
        (
            lambda r: _domain(r, "financiën")["terms"].append("Paspoort"),
            "domains[2] (financiën).terms: 'Paspoort' is also in the domain burgerzaken",
        ),
        (
            lambda r: _domain(r, "telefonie")["hint_words"].append("Muis"),
            "domains[11] (telefonie).hint_words: 'Muis' is also in the domain werkplek",
        ),
        (
            lambda r: _domain(r, "burgerzaken")["terms"].append("ID-kaart"),
            "domains[0] (burgerzaken).terms: 'ID-kaart' is listed twice",
        ),
        (
            lambda r: _domain(r, "documentcreatie")["terms"].append("sjablonen"),
            "'sjablonen' is a name or synonym of the application Xential",
        ),
        (
            lambda r: _domain(r, "GEO")["terms"].append("ab"),
            "domains[8] (GEO).terms: 'ab' is too short",
        ),
        (
            lambda r: _domain(r, "GEO")["product_terms"].append("grafiek"),
            "domains[8] (GEO).product_terms: 'grafiek' is not one of its terms",
        ),
        (
            lambda r: _domain(r, "burgerzaken")["department_terms"].append("balie"),
            "domains[0] (burgerzaken).department_terms: 'balie' is not one of its terms",
        ),
        (
            lambda r: r["applications"][0].update(pairs=[{"things": ["account"]}]),
            "applications.0.pairs.0.events: missing field",
        ),
        (
            lambda r: r["domains"].append({"name": "Burgerzaken", "terms": ["balie"]}),
            "domains: duplicate name 'burgerzaken'",
        ),
        (
            lambda r: r["suppliers"][0]["contract"]["resolution_hours"].pop("P4"),
            "suppliers.0.contract: resolution_hours needs exactly P1, P2, P3 and P4",
        ),
        (
            lambda r: r["suppliers"][0]["contract"]["response_hours"].update(P2=20),
            "the response target of P2 (20 h) is later than its resolution target (16 h)",
        ),
        (
            lambda r: r["suppliers"][0].update(business_hours={"start": "17:00", "end": "08:00"}),
            "suppliers.0.business_hours: start 17:00 must be before end 08:00",
        ),
        (
            lambda r: r["suppliers"][1].update(contact="geen adres"),
            "suppliers.1.contact: value is not a valid email address",
        ),
        (
            lambda r: r["sla"]["response_hours"].update(P3=0),
            "sla: response_hours: every target must be more than 0 hours",
        ),
        (
            lambda r: r["privacy_officer"].pop("email"),
            "privacy_officer.email: missing field",
        ),
        (
            lambda r: r["suppliers"][0].update(sla={"P1": 4}),
            "suppliers.0.sla: unknown field",
        ),
    ],
)
def test_each_mistake_names_file_place_and_problem(tmp_path, mutate, expected):
    path = _write(tmp_path, mutate)
    with pytest.raises(OrgFileError) as caught:
        load_organisation(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_duplicate_yaml_key_is_refused(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text(
        SAMPLE_ORG.read_text(encoding="utf-8") + "\nname: Tweede naam\n", encoding="utf-8"
    )
    with pytest.raises(OrgFileError, match=r"duplicate key 'name'.*line"):
        load_organisation(path)


def test_missing_file(tmp_path):
    with pytest.raises(OrgFileError, match="file not found"):
        load_organisation(tmp_path / "nowhere.yaml")


def test_cli_check_exits_nonzero_with_the_message(tmp_path):
    path = _write(tmp_path, lambda r: r["routing"].update(data_breach="fg"))
    loket = [sys.executable, "-m", "router.cli"]
    ok = subprocess.run([*loket, "org", "check", str(SAMPLE_ORG)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "4 municipalities" in ok.stdout
    bad = subprocess.run([*loket, "org", "check", path], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "routing.data_breach: unknown team or supplier 'fg'" in bad.stderr


def test_service_refuses_to_start_on_an_invalid_file(tmp_path):
    path = _write(tmp_path, lambda r: r["suppliers"].pop())
    env = {
        "LOKET_SERVICE_TOKEN": "a-real-looking-token-123",
        "LOKET_ORG_FILE": path,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "router.cli", "serve"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Refusing to start" in result.stderr
    assert "unknown team or supplier 'kpn'" in result.stderr


def test_a_ticket_belongs_to_the_municipality_named_else_to_the_reporters_domain(org):
    assert org.ticket_municipality("Gemeente Veenhoven", "anna@dijkstede.nl") == "VHN"
    assert org.ticket_municipality(None, "Anna@Dijkstede.NL") == "DYK"
    with pytest.raises(UnknownName, match="e-mail domain names none"):
        org.ticket_municipality(None, "anna@example.org")


def test_the_work_of_each_domain_is_known(org):
    domains = {d.name: d for d in org.domains}
    assert {a.domain for a in org.applications} <= set(domains)
    assert "paspoort" in domains["burgerzaken"].terms
    assert "wmo" in domains["sociaal domein"].terms
    assert org.domain_destination("burgerzaken", "DYK") == "centric"
    assert org.domain_destination("burgerzaken", "PLW") == "pinkroccade"
    assert org.domain_destination("sociaal domein", "HRD") == "pinkroccade"
    assert org.domain_destination("belastingen", "DYK") is None  # no application for it
    assert org.application("beeldscherm").name == "Laptop"  # weak synonyms still name it
    assert org.application("scherm") is None  # a hint word is the router's only


def test_an_org_file_without_domains_still_loads(tmp_path):
    path = _write(tmp_path, lambda r: r.pop("domains"))
    assert load_organisation(path).domains == []


def _supplier(raw: dict, key: str) -> dict:
    return next(s for s in raw["suppliers"] if s["key"] == key)


def test_suppliers_forwarding_methods_load(org):
    methods = {s.key: s.forwarding.method if s.forwarding else None for s in org.suppliers}
    assert methods == {
        "centric": "topdesk", "pinkroccade": "webhook", "visma-raet": "email",
        "decos": "email", "mintlab": "webhook", "xential": "email", "roxit": "topdesk",
        "kpn": None,
    }  # fmt: skip
    assert str(org.forwarding.reply_to) == "regie@de-delta.example.org"
    assert org.forwarding.auto_min_confidence == 0.95
    assert not any(s.forwarding and s.forwarding.auto for s in org.suppliers)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda r: _supplier(r, "pinkroccade")["forwarding"].pop("secret_env"),
            "suppliers.1.forwarding.webhook.secret_env: missing field",
        ),
        (  # a secret itself in the file is refused: only the variable's name belongs there
            lambda r: _supplier(r, "pinkroccade")["forwarding"].update(secret="s3cr3t"),
            "suppliers.1.forwarding.webhook.secret: unknown field",
        ),
        (
            lambda r: _supplier(r, "centric")["forwarding"].update(password_env="wachtwoord"),
            "suppliers.0.forwarding.topdesk.password_env: String should match pattern",
        ),
        (
            lambda r: _supplier(r, "decos")["forwarding"].update(method="fax"),
            "suppliers.3.forwarding: Input tag 'fax' found using 'method' does not match",
        ),
        (
            lambda r: _supplier(r, "mintlab")["forwarding"].update(url="ftp://mintlab.example.org"),
            "suppliers.4.forwarding.webhook.url: String should match pattern",
        ),
        (
            lambda r: _supplier(r, "decos")["forwarding"].update(address="geen adres"),
            "suppliers.3.forwarding.email.address: value is not a valid email address",
        ),
        (
            lambda r: _supplier(r, "mintlab")["forwarding"].update(
                secret_env="LOKET_SUPPLIER_PINKROCCADE_SECRET"
            ),
            "duplicate environment variable 'LOKET_SUPPLIER_PINKROCCADE_SECRET'",
        ),
        (
            lambda r: r["forwarding"].update(auto_min_confidence=0.2),
            "forwarding.auto_min_confidence: Input should be greater than or equal to 0.5",
        ),
    ],
)
def test_each_forwarding_mistake_is_named(tmp_path, mutate, expected):
    path = _write(tmp_path, mutate)
    with pytest.raises(OrgFileError) as caught:
        load_organisation(path)
    assert expected in str(caught.value)


def test_an_org_file_without_response_targets_answers_within_the_resolution_time(tmp_path):
    def older(raw):
        raw["sla"].pop("response_hours")
        raw.pop("privacy_officer")
        for supplier in raw["suppliers"]:
            for key in ("contact", "contract", "business_hours"):
                supplier.pop(key, None)

    org = load_organisation(_write(tmp_path, older))
    assert org.response_hours("centric", "P2") == org.resolution_hours("centric", "P2") == 9
    assert org.privacy_officer is None and org.destination_contact("centric") is None


def test_the_major_incident_window_loads_and_its_mistakes_are_named(org, tmp_path):
    assert (org.major_incident.tickets, org.major_incident.minutes) == (3, 30)
    for change, expected in [
        ({"tickets": 1}, "major_incident.tickets: Input should be greater than or equal to 2"),
        ({"minutes": 0}, "major_incident.minutes: Input should be greater than or equal to 1"),
        ({"window": 5}, "major_incident.window: unknown field"),
    ]:
        path = _write(tmp_path, lambda r, change=change: r["major_incident"].update(change))
        with pytest.raises(OrgFileError) as caught:
            load_organisation(path)
        assert expected in str(caught.value)


TENANT = "0d1e2f30-4a5b-4c6d-8e7f-0123456789ab"


def test_teams_tenants_name_the_municipality(org):
    assert org.municipality_of_tenant(TENANT) == "DYK"
    assert org.municipality_of_tenant(TENANT.upper()) == "DYK"
    assert org.municipality_of_tenant("11111111-2222-4333-8444-555555555555") is None
    assert org.municipality_of_tenant(None) is None
    assert org.municipality("PLW").teams_tenants == []  # optional


@pytest.mark.parametrize(
    ("tenants", "expected"),
    [
        (["not-a-guid"], "municipalities.2.teams_tenants.0: String should match pattern"),
        ([TENANT], f"municipalities[].teams_tenants: duplicate tenant id '{TENANT}'"),
    ],
)
def test_teams_tenants_are_guids_and_belong_to_one_municipality(tmp_path, tenants, expected):
    path = _write(tmp_path, lambda r: r["municipalities"][2].update(teams_tenants=tenants))
    with pytest.raises(OrgFileError) as caught:
        load_organisation(path)
    assert expected in str(caught.value)
