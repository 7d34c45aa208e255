"""The organisation file: municipalities, teams, suppliers, applications and routes.

Loaded once, validated completely: a wrong file gives one error that names the file, the
place in it and what is wrong, and nothing starts on it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import time
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, model_validator

from router.domain.errors import InvalidInput

Level = Literal["low", "medium", "high"]
Priority = Literal["P1", "P2", "P3", "P4"]


class OrgFileError(InvalidInput):
    """The organisation file cannot be used; the message says where and why."""


class UnknownName(InvalidInput):
    """A municipality or application that the organisation does not have."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


GUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"  # lower case


class Municipality(_Strict):
    key: str = Field(pattern=r"^[A-Z]{2,5}$")
    name: str = Field(min_length=1)
    email_domain: str = Field(pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")
    synonyms: list[str] = []
    # Microsoft Teams: the Azure AD (Entra ID) tenants whose employees belong to this
    # municipality; a Teams message from another tenant is politely refused.
    teams_tenants: list[Annotated[str, Field(pattern=GUID)]] = []


class Team(_Strict):
    key: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1)
    handles: str = ""
    contact: EmailStr | None = None  # SLA alerts (at risk, breached) for the team's tickets


PRIORITIES: tuple[Priority, ...] = ("P1", "P2", "P3", "P4")


def _all_priorities(where: str, targets: dict[Priority, float]) -> None:
    if set(targets) != set(PRIORITIES):
        raise ValueError(f"{where} needs exactly P1, P2, P3 and P4")
    if any(hours <= 0 for hours in targets.values()):
        raise ValueError(f"{where}: every target must be more than 0 hours")


def _response_within_resolution(
    where: str, response: dict[Priority, float], resolution: dict[Priority, float]
) -> None:
    for p in PRIORITIES:
        if response[p] > resolution[p]:
            raise ValueError(
                f"{where}: the response target of {p} ({response[p]:g} h) is later than "
                f"its resolution target ({resolution[p]:g} h)"
            )


class BusinessHours(_Strict):
    start: str = Field(pattern=r"^\d\d:\d\d$")
    end: str = Field(pattern=r"^\d\d:\d\d$")

    @model_validator(mode="after")
    def _a_real_window(self) -> BusinessHours:
        try:
            opens, closes = time.fromisoformat(self.start), time.fromisoformat(self.end)
        except ValueError:
            raise ValueError(f"'{self.start}'-'{self.end}' are not times of day") from None
        if opens >= closes:
            raise ValueError(f"start {self.start} must be before end {self.end}")
        return self


class Contract(_Strict):
    """A supplier contract's targets in business hours: first response and resolution."""

    response_hours: dict[Priority, float]
    resolution_hours: dict[Priority, float]

    @model_validator(mode="after")
    def _complete(self) -> Contract:
        _all_priorities("response_hours", self.response_hours)
        _all_priorities("resolution_hours", self.resolution_hours)
        _response_within_resolution("contract", self.response_hours, self.resolution_hours)
        return self


# --- Forwarding to suppliers (issue 15): how a ticket reaches a supplier's own desk -------
# Secrets are never in the file: it names the environment variable that holds each one.
ENV_NAME = r"^LOKET_[A-Z0-9_]+$"  # the name of an environment variable
HTTP_URL = r"^https?://[^\s/?#]+[^\s]*$"


class _Forwarding(_Strict):
    # Forward without staff when the router is sure enough (`forwarding.auto_min_confidence`).
    auto: bool = False
    # The variable holding the HMAC secret of this supplier's signed updates to
    # POST /api/suppliers/{key}/updates (and of the webhook's own signature). Without it the
    # supplier cannot send updates.
    secret_env: str | None = Field(default=None, pattern=ENV_NAME)


class EmailForwarding(_Forwarding):
    """A readable Dutch mail to the supplier's service desk."""

    method: Literal["email"]
    address: EmailStr


class WebhookForwarding(_Forwarding):
    """A JSON POST, signed with HMAC-SHA256 over timestamp + "." + body."""

    method: Literal["webhook"]
    url: str = Field(pattern=HTTP_URL)
    secret_env: str = Field(pattern=ENV_NAME)


class TopdeskForwarding(_Forwarding):
    """An incident in the supplier's TOPdesk (REST API, an operator's application password)."""

    method: Literal["topdesk"]
    url: str = Field(pattern=HTTP_URL)  # the TOPdesk's base, e.g. https://centric.topdesk.net
    username: str = Field(min_length=1)
    password_env: str = Field(pattern=ENV_NAME)
    # The caller in their TOPdesk: a person registered for the collaboration (by e-mail);
    # without it an unregistered caller named after the collaboration.
    caller_email: EmailStr | None = None


Forwarding = Annotated[
    EmailForwarding | WebhookForwarding | TopdeskForwarding, Field(discriminator="method")
]


class Supplier(_Strict):
    key: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1)
    # How Loket forwards to it; none: staff forward by phone or portal and record the reference.
    forwarding: Forwarding | None = None
    contact: EmailStr | None = None  # the supplier's contact for regie (SLA alerts)
    contract: Contract | None = None  # None: the organisation's own targets
    business_hours: BusinessHours | None = None  # None: the organisation's own hours


class ForwardingDefaults(_Strict):
    """The collaboration's side of forwarding."""

    # Replies to a forwarding mail go here, the ticket's reference added (regie+M-2026-...@).
    reply_to: EmailStr | None = None
    # A supplier with `auto: true` gets a new ticket without staff from this route confidence
    # up (rules, catalogue names and the text model above its measured threshold; never triage).
    auto_min_confidence: float = Field(default=0.95, ge=0.5, le=1.0)


class MajorIncidentWindow(_Strict):
    """When staff are prompted to open a major incident: this many open, unlinked tickets
    about one application within this many minutes."""

    tickets: int = Field(default=3, ge=2, le=100)
    minutes: int = Field(default=30, ge=1, le=24 * 60)


class WordPair(_Strict):
    """A thing and what happens to it ("account" ... "geblokkeerd"): both within PAIR_WINDOW
    words of each other, in either order, name the application as strongly as a synonym."""

    things: list[str] = Field(min_length=1)
    events: list[str] = Field(min_length=1)


PAIR_WINDOW = 5


class Application(_Strict):
    name: str = Field(min_length=1)
    domain: str = Field(min_length=1)
    synonyms: list[str] = []
    # Synonyms that are also everyday words ("pc", "word", "inloggen"): they name the
    # application for the assistant, but never outweigh a named application or domain work.
    weak_synonyms: list[str] = []
    # Words too everyday for the assistant to take as the application ("scherm" in "het scherm
    # van Key2Burgerzaken"), that still hint at it for the router when nothing stronger is named.
    hint_words: list[str] = []
    pairs: list[WordPair] = []
    # A device or workspace other applications run on (a laptop, Citrix): when the ticket
    # names another application too, that one decides.
    carrier: bool = False
    routes: dict[str, str] = Field(min_length=1)

    def all_synonyms(self) -> list[str]:
        return [*self.synonyms, *self.weak_synonyms]

    def weak_words(self) -> list[str]:
        """The words that name the application only weakly, for the router."""
        return [*self.weak_synonyms, *self.hint_words]


class WorkDomain(_Strict):
    """The work of one application domain: the processes, products and objects employees name.

    A ticket that names them, at a municipality, goes to that municipality's application of the
    domain. `generic`: everyday IT words (muis, internet): they route only when the ticket
    names no application and no other domain's work. `hint_words` are as weak, and too
    everyday even for the assistant ("mail", "bellen"): only the router reads them.
    """

    name: str = Field(min_length=1)
    description: str = ""
    generic: bool = False
    terms: list[str] = Field(min_length=1)
    hint_words: list[str] = []
    # Terms naming the product a ticket is about (a dashboard, a report), not work: each
    # counts twice against another domain's work, which then only says what it is about.
    product_terms: list[str] = []
    # Terms naming a team or department of the domain ("wijkteam", "handhaving"): named alone,
    # as a whole word, they say where the employee works, like the domain's own name does.
    department_terms: list[str] = []


MIN_TERM_LENGTH = 3  # "ID" or "AO" would match too much


def normalise_term(text: str) -> str:
    """Casefolded, accents removed, every run of non-letters one space: how terms are compared
    ("ID-kaart" = "id kaart", "financiën" = "financien")."""
    plain = text.casefold()
    if not plain.isascii():  # the slow path only for text with accents or other scripts
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORDS.findall(plain))


_WORDS = re.compile(r"[^\W_]+")


class Routing(_Strict):
    security_incident: str
    data_breach: str
    triage: str


class Sla(_Strict):
    timezone: str
    business_hours: BusinessHours
    holidays: str = Field(pattern=r"^[A-Z]{2}$")
    targets_hours: dict[Priority, float]  # resolution, in business hours
    # First response, in business hours; a file without it answers within the resolution time.
    response_hours: dict[Priority, float] | None = None
    priority_matrix: dict[Level, dict[Level, Priority]]

    @model_validator(mode="after")
    def _complete(self) -> Sla:
        levels = {"low", "medium", "high"}
        _all_priorities("targets_hours", self.targets_hours)
        if self.response_hours is not None:
            _all_priorities("response_hours", self.response_hours)
            _response_within_resolution("sla", self.response_hours, self.targets_hours)
        if set(self.priority_matrix) != levels or any(
            set(row) != levels for row in self.priority_matrix.values()
        ):
            raise ValueError(
                "priority_matrix needs impact low/medium/high x urgency low/medium/high"
            )
        return self


class PrivacyOfficer(_Strict):
    """The privacy officer (FG): told of every data breach at once, reminded at 24 and 48
    hours while undecided; at 60 hours the escalation address is told too."""

    name: str = "Functionaris gegevensbescherming"
    email: EmailStr
    escalation: EmailStr | None = None  # e.g. the CISO or the director; None: the FG again


# --- The weekly report (issue 16): who gets it and how the regie work is weighed ---------


class CostWeights(_Strict):
    """A ticket's regie work in units: priority weight x (per ticket + per business hour of
    handling, the hours capped), summed per municipality for the participants' cost split."""

    priority: dict[Priority, float] = {"P1": 4.0, "P2": 2.0, "P3": 1.0, "P4": 0.5}
    per_ticket: float = Field(default=1.0, ge=0)
    per_business_hour: float = Field(default=0.25, ge=0)
    cap_hours: float = Field(default=45.0, gt=0)


class ReportConfig(_Strict):
    # "all": the whole collaboration's report; a municipality key: that municipality's own.
    recipients: dict[str, list[EmailStr]] = {}
    cost_weights: CostWeights = CostWeights()


class Organisation(_Strict):
    name: str
    municipalities: list[Municipality] = Field(min_length=1)
    teams: list[Team] = Field(min_length=1)
    suppliers: list[Supplier] = []
    use_questions: dict[str, str] = {}
    domains: list[WorkDomain] = []
    applications: list[Application] = []
    routing: Routing
    sla: Sla
    privacy_officer: PrivacyOfficer | None = None
    report: ReportConfig = ReportConfig()
    forwarding: ForwardingDefaults = ForwardingDefaults()
    major_incident: MajorIncidentWindow = MajorIncidentWindow()

    @model_validator(mode="after")
    def _consistent(self) -> Organisation:
        _unique("municipalities", [m.key for m in self.municipalities])
        _unique("municipalities", [m.name for m in self.municipalities], what="name")
        _unique(
            "municipalities[].teams_tenants",
            [t for m in self.municipalities for t in m.teams_tenants],
            what="tenant id",
        )
        _unique("teams + suppliers", [t.key for t in self.teams] + [s.key for s in self.suppliers])
        _unique("applications", [a.name for a in self.applications], what="name")
        _unique(
            "suppliers[].forwarding (secret_env, password_env)",
            [v for s in self.suppliers if s.forwarding for v in _secret_names(s.forwarding)],
            what="environment variable",
        )
        destinations = self.destination_keys()
        municipalities = {m.key for m in self.municipalities}
        for field in ("security_incident", "data_breach", "triage"):
            _known(f"routing.{field}", getattr(self.routing, field), destinations)
        for domain, team in self.use_questions.items():
            _known(f"use_questions.{domain}", team, destinations)
        seen_words: dict[str, str] = {}
        for i, app in enumerate(self.applications):
            where = f"applications[{i}] ({app.name})"
            for muni, dest in app.routes.items():
                _known(f"{where}.routes", muni, municipalities, kind="municipality")
                _known(f"{where}.routes.{muni}", dest, destinations)
            words = [app.name, *app.all_synonyms(), *app.hint_words]
            for word in {w.lower() for w in words}:
                other = seen_words.setdefault(word, app.name)
                if other != app.name:
                    raise ValueError(f"{where}.synonyms: '{word}' is also used by {other}")
        if self.domains:
            self._check_domains(seen_words)
        for key in self.report.recipients:
            _known("report.recipients", key, municipalities | {"all"}, kind="municipality")
        if set(self.report.cost_weights.priority) != {"P1", "P2", "P3", "P4"}:
            raise ValueError("report.cost_weights.priority needs exactly P1, P2, P3 and P4")
        return self

    def _check_domains(self, app_words: dict[str, str]) -> None:
        _unique("domains", [d.name.casefold() for d in self.domains], what="name")
        names = {d.name for d in self.domains}
        for i, app in enumerate(self.applications):
            _known(f"applications[{i}] ({app.name}).domain", app.domain, names, kind="domain")
        for asked in self.use_questions:
            _known(f"use_questions.{asked}", asked, names, kind="domain")
        app_terms = {normalise_term(word): app for word, app in app_words.items()}
        seen: dict[str, str] = {}
        for i, domain in enumerate(self.domains):
            listed = [("terms", t) for t in domain.terms]
            listed += [("hint_words", t) for t in domain.hint_words]
            terms = {normalise_term(t) for t in domain.terms}
            for field, subset in (
                ("product_terms", domain.product_terms),
                ("department_terms", domain.department_terms),
            ):
                for term in subset:
                    if normalise_term(term) not in terms:
                        raise ValueError(
                            f"domains[{i}] ({domain.name}).{field}: '{term}' is not one of "
                            "its terms"
                        )
            for field, term in listed:
                where = f"domains[{i}] ({domain.name}).{field}"
                key = normalise_term(term)
                if len(key.replace(" ", "")) < MIN_TERM_LENGTH:
                    raise ValueError(f"{where}: '{term}' is too short (at least 3 letters)")
                if key in app_terms:
                    raise ValueError(
                        f"{where}: '{term}' is a name or synonym of the application "
                        f"{app_terms[key]}; a domain term names work, not an application"
                    )
                if key in seen:
                    other = seen[key]
                    also = "listed twice" if other == domain.name else f"also in the domain {other}"
                    raise ValueError(f"{where}: '{term}' is {also}")
                seen[key] = domain.name

    def supplier(self, key: str) -> Supplier | None:
        return next((s for s in self.suppliers if s.key == key), None)

    def destination_keys(self) -> set[str]:
        return {t.key for t in self.teams} | {s.key for s in self.suppliers}

    def destination_contact(self, key: str) -> str | None:
        """Where SLA alerts for the destination's tickets go (None: no one to mail)."""
        destinations: list[Team | Supplier] = [*self.teams, *self.suppliers]
        return next((d.contact for d in destinations if d.key == key), None)

    def calendar(self, destination: str) -> Sla:
        """The business calendar of a destination: the organisation's, with a supplier's own
        business hours where its contract sets them."""
        supplier = self.supplier(destination)
        if supplier is None or supplier.business_hours is None:
            return self.sla
        return self.sla.model_copy(update={"business_hours": supplier.business_hours})

    def resolution_hours(self, destination: str, priority: str) -> float:
        """The resolution target in business hours: the supplier contract's, else the org's."""
        supplier = self.supplier(destination)
        if supplier is not None and supplier.contract is not None:
            return supplier.contract.resolution_hours[_priority(priority)]
        return self.sla.targets_hours[_priority(priority)]

    def response_hours(self, destination: str, priority: str) -> float:
        """The first-response target in business hours (the org's resolution target when the
        file sets no response targets)."""
        supplier = self.supplier(destination)
        if supplier is not None and supplier.contract is not None:
            return supplier.contract.response_hours[_priority(priority)]
        targets = self.sla.response_hours or self.sla.targets_hours
        return targets[_priority(priority)]

    def destination_name(self, key: str) -> str:
        destinations: list[Team | Supplier] = [*self.teams, *self.suppliers]
        for item in destinations:
            if item.key == key:
                return item.name
        raise KeyError(key)

    def display_name(self, key: str) -> str:
        """The destination's name; its key when it has left the organisation file since (old
        tickets keep the destination they were sent to)."""
        try:
            return self.destination_name(key)
        except KeyError:
            return key

    def municipality(self, key_or_name: str) -> Municipality | None:
        wanted = key_or_name.strip().casefold()
        for m in self.municipalities:
            if wanted in {m.key.casefold(), m.name.casefold()}:
                return m
        return None

    def application(self, name: str) -> Application | None:
        wanted = name.strip().casefold()
        for app in self.applications:
            if wanted == app.name.casefold() or wanted in (
                s.casefold() for s in app.all_synonyms()
            ):
                return app
        return None

    def domain_applications(self, domain: str, municipality: str) -> list[Application]:
        """The applications of a domain that the municipality uses."""
        return [a for a in self.applications if a.domain == domain and municipality in a.routes]

    def domain_destination(self, domain: str, municipality: str) -> str | None:
        """Where a fault in the domain's work goes at the municipality: the one destination of
        its applications there; None when it uses none, or two that go to two places."""
        apps = self.domain_applications(domain, municipality)
        destinations = {a.routes[municipality] for a in apps}
        return destinations.pop() if len(destinations) == 1 else None

    def municipality_key(self, given: str) -> str:
        found = self.municipality(given)
        if found is None:
            known = ", ".join(f"{m.key} ({m.name})" for m in self.municipalities)
            raise UnknownName(f"unknown municipality '{given}'; known: {known}")
        return found.key

    def municipality_of_tenant(self, tenant_id: str | None) -> str | None:
        """The key of the municipality whose Teams tenant this is; None for any other."""
        tenant = (tenant_id or "").strip().lower()
        return next((m.key for m in self.municipalities if tenant in m.teams_tenants), None)

    def municipality_of_email(self, email: str | None) -> str | None:
        domain = (email or "").rpartition("@")[2].lower()
        return next((m.key for m in self.municipalities if m.email_domain == domain), None)

    def ticket_municipality(self, given: str | None, reporter_email: str | None) -> str:
        """The municipality a ticket belongs to: the one named, else the reporter's e-mail
        domain (its applications decide where the ticket goes)."""
        if given:
            return self.municipality_key(given)
        from_email = self.municipality_of_email(reporter_email)
        if from_email is None:
            raise UnknownName("municipality is missing and the reporter's e-mail domain names none")
        return from_email

    def application_name(self, given: str | None) -> str | None:
        if not given:
            return None
        app = self.application(given)
        if app is None:
            raise UnknownName(f"unknown application '{given}'")
        return app.name

    def priority(self, impact: Level, urgency: Level) -> Priority:
        return self.sla.priority_matrix[impact][urgency]


def _priority(value: str) -> Priority:
    for p in PRIORITIES:
        if p == value:
            return p
    raise KeyError(value)


def _unique(where: str, values: list[str], what: str = "key") -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{where}: duplicate {what} '{value}'")
        seen.add(value)


def _secret_names(forwarding: EmailForwarding | WebhookForwarding | TopdeskForwarding) -> list[str]:
    """Each supplier signs with its own secret: a shared one would let one sign for another."""
    names = [forwarding.secret_env] if forwarding.secret_env else []
    if isinstance(forwarding, TopdeskForwarding):
        names.append(forwarding.password_env)
    return names


def _known(where: str, value: str, known: set[str], kind: str = "team or supplier") -> None:
    if value not in known:
        raise ValueError(f"{where}: unknown {kind} '{value}' (known: {', '.join(sorted(known))})")


class _NoDuplicateKeysLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys silently; an organisation file must not."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_organisation(path: str | Path) -> Organisation:
    """Read and validate an organisation file, or raise OrgFileError naming what is wrong."""
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_NoDuplicateKeysLoader)  # noqa: S506 - safe loader subclass
    except FileNotFoundError:
        raise OrgFileError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise OrgFileError(f"{path}: {exc}".replace("\n", " ")) from None
    if not isinstance(raw, dict):
        raise OrgFileError(f"{path}: expected a mapping at the top level")
    try:
        return Organisation.model_validate(raw)
    except ValidationError as exc:
        raise OrgFileError(f"{path}: {_describe(exc)}") from None


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "missing field"
    elif first["type"] == "extra_forbidden":
        message = "unknown field"
    return f"{where}: {message}" if where else message
