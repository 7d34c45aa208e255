"""What the router's text model learns from: the organisation file on day one, imported
history, and every staff correction (weighted up, and more when recent)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlmodel import Session

from router.domain.org import Organisation
from router.routing.recognise import ApplicationRecogniser
from router.routing.textmodel import Example
from router.store import training

CORRECTION_WEIGHT = 3.0  # a staff correction says more than a generated or imported example
HALF_LIFE_DAYS = 90.0  # ...and a recent one more than an old one

_FAULT_TEMPLATES = (
    "{app} werkt niet",
    "storing in {app}",
    "{app} geeft een foutmelding",
    "{app} loopt vast",
    "kan niet inloggen in {app}",
    "{app} is traag",
    "probleem met {app}",
    "{app} doet het niet meer sinds vanochtend",
)
# The work of a domain, named without its application ("paspoortaanvraag loopt vast").
_DOMAIN_TEMPLATES = (
    "{term} lukt niet",
    "foutmelding bij {term}",
    "kan {term} niet opslaan",
    "{term} loopt vast in het systeem",
    "probleem met {term}",
    "{term} wordt niet verwerkt",
    "bij {term} krijg ik een foutmelding",
    "storing bij {term}",
)
_DOMAIN_QUESTION_TEMPLATES = ("hoe moet ik {term} registreren", "waar vind ik {term}")
_TEAM_TEMPLATES = ("probleem met {topic}", "vraag over {topic}", "{topic} werkt niet")
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
_TICKET_INTENTS = {"report_incident", "request_service"}
_RULE_INTENTS = {
    "report_security_incident": "security_incident",
    "report_data_breach": "data_breach",
}


@dataclass(frozen=True)
class TrainingSet:
    examples: list[Example]
    weights: list[float]
    counts: dict[str, int]


def cold_start_examples(org: Organisation, nlu_dir: Path | None = None) -> list[Example]:
    """Examples derived from the organisation file and the assistant's NLU data."""
    examples: list[Example] = []
    for app in org.applications:
        names = [app.name, *app.synonyms]
        for municipality, destination in app.routes.items():
            for i, template in enumerate(_FAULT_TEMPLATES):
                text = template.format(app=names[i % len(names)])
                examples.append(Example(text, municipality, destination, None))
            examples.append(
                Example(f"{app.domain}: {app.name} storing", municipality, destination, None)
            )
        use_team = org.use_questions.get(app.domain)
        if use_team:
            for name in names[:3]:
                for municipality in app.routes:
                    examples.append(
                        Example(f"hoe werkt {name} voor {app.domain}", municipality, use_team, None)
                    )
    examples.extend(_domain_examples(org))
    for team in org.teams:
        for topic in filter(None, (t.strip(" ()") for t in re.split(r"[,()]", team.handles))):
            for template in _TEAM_TEMPLATES:
                examples.append(Example(template.format(topic=topic), None, team.key, None))
    if nlu_dir is not None:
        examples.extend(_nlu_examples(org, nlu_dir))
    return examples


def _domain_examples(org: Organisation) -> Iterable[Example]:
    """Each term of a domain's work once per municipality, routed to the municipality's
    application for the domain; how-to questions to the domain's use-questions team."""
    for domain in org.domains:
        team = org.use_questions.get(domain.name)
        for municipality in (m.key for m in org.municipalities):
            destination = org.domain_destination(domain.name, municipality)
            if destination is None:
                continue
            for i, term in enumerate(domain.terms):
                text = _DOMAIN_TEMPLATES[i % len(_DOMAIN_TEMPLATES)].format(term=term)
                yield Example(text, municipality, destination, None)
                if team and i % 4 == 0:
                    question = _DOMAIN_QUESTION_TEMPLATES[i // 4 % 2].format(term=term)
                    yield Example(question, municipality, team, None)


def _nlu_examples(org: Organisation, nlu_dir: Path) -> Iterable[Example]:
    """The assistant's examples, routed as the rules and the catalogue would route them."""
    recogniser = ApplicationRecogniser(org)
    for path in sorted(nlu_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            intent = block.get("intent")
            if not intent or "examples" not in block:
                continue
            for line in block["examples"].splitlines():
                text = _ANNOTATION.sub(r"\1", line.strip().removeprefix("- ")).strip()
                if not text:
                    continue
                if intent in _RULE_INTENTS:
                    yield Example(text, None, getattr(org.routing, _RULE_INTENTS[intent]), None)
                    continue
                found = recogniser.scan(text)
                weak_apps = {a.name: a for n, _ in found.weak if (a := org.application(n))}
                app = found.application
                if app is None and not found.domains and len(weak_apps) == 1:
                    app = next(iter(weak_apps.values()))  # "ik ben mijn wachtwoord vergeten"
                if app is not None:
                    for municipality, destination in app.routes.items():
                        yield Example(text, municipality, destination, None)
                elif len(found.domains) == 1 and intent in _TICKET_INTENTS:
                    # the work of one domain, named in a report or a request
                    domain = found.domains[0][0]
                    for municipality in (m.key for m in org.municipalities):
                        to = org.domain_destination(domain, municipality)
                        if to is not None:
                            yield Example(text, municipality, to, None)


def imported_examples(session: Session) -> list[Example]:
    return [Example(*row) for row in training.imported(session)]


def correction_examples(session: Session) -> list[Example]:
    return [Example(*row) for row in training.corrections(session)]


def correction_weight(at: datetime | None, now: datetime) -> float:
    if at is None:
        return CORRECTION_WEIGHT
    age_days = max(0.0, (now - at).total_seconds() / 86400)
    return CORRECTION_WEIGHT * (1.0 + math.pow(0.5, age_days / HALF_LIFE_DAYS))


def training_set(
    org: Organisation, session: Session, nlu_dir: Path | None = None, now: datetime | None = None
) -> TrainingSet:
    now = now or datetime.now(UTC)
    cold = cold_start_examples(org, nlu_dir)
    imported = imported_examples(session)
    corrections = correction_examples(session)
    examples = [*cold, *imported, *corrections]
    weights = [1.0] * (len(cold) + len(imported)) + [
        correction_weight(e.at, now) for e in corrections
    ]
    counts = {"cold_start": len(cold), "imported": len(imported), "corrections": len(corrections)}
    return TrainingSet(examples, weights, counts)
