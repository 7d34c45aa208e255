"""Reading the workspace's query strings and forms into checked values."""

from __future__ import annotations

from urllib.parse import unquote, urlencode, urlsplit

from multidict import MultiMapping

from router.domain.org import Organisation
from router.domain.vocabulary import Status
from router.store import tickets as store
from router.store.queues import SLA_FILTERS, SORTS, QueueFilter
from router.workspace.operations import FormError

AGES = (1, 3, 7, 14, 30)
PRIORITIES = ("P1", "P2", "P3", "P4")
OK_MESSAGES = {
    "doorgestuurd": "Melding doorgestuurd; de correctie is vastgelegd voor de router.",
    "overgenomen": "Suggestie overgenomen; de melding staat bij de nieuwe bestemming.",
    "bevestigd": "Route bevestigd; de melding is van de triagewachtrij af.",
    "status": "Status gewijzigd.",
    "leverancier": "Vastgelegd als doorgezet naar de leverancier.",
    "doorgezet": "Melding wordt doorgezet naar de leverancier; de aflevering komt in het logboek.",
    "opmerking": "Opmerking opgeslagen.",
    "opgelost": "Melding opgelost.",
    "heropend": "Melding heropend.",
    "bulk": "Bulkactie uitgevoerd.",
    "storing": "Storing opgeslagen.",
    "grote-storing": "Grote storing geopend; de meldingen zijn eraan gekoppeld.",
    "gekoppeld": "Melding gekoppeld aan de storing.",
    "account": "Account opgeslagen.",
    "model": "Modelversie in gebruik genomen; de router volgt binnen enkele seconden.",
    "besluit": "Besluit over het datalek vastgelegd; de herinneringen aan de FG stoppen.",
    "ap-gemeld": "Melding bij de Autoriteit Persoonsgegevens vastgelegd.",
}


def reference_of(value: str) -> str:
    """A malformed reference is answered like an unknown one: 404."""
    reference = value.upper()
    if not store.REFERENCE.match(reference):
        raise store.TicketNotFound(reference)
    return reference


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value or default), low), high)
    except ValueError:
        return default


def queue_filter(query: MultiMapping[str], org: Organisation) -> QueueFilter:
    status = query.get("status", "open")
    destination = query.get("bestemming") or None
    municipality = query.get("gemeente") or None
    priority = query.get("prioriteit") or None
    age = _int(query.get("ouder_dan"), 0, 0, 3650)
    sort = query.get("sorteer", "leeftijd")
    sla = query.get("sla") or None
    return QueueFilter(
        status=status if status in {"open", "alle", *Status} else "open",
        destination=destination if destination in org.destination_keys() else None,
        municipality=municipality if org.municipality(municipality or "") else None,
        priority=priority if priority in PRIORITIES else None,
        older_than_days=age if age in AGES else None,
        search=(query.get("q") or "").strip()[:100] or None,
        sla=sla if sla in SLA_FILTERS else None,
        sort=sort if sort in SORTS else "leeftijd",
        descending=query.get("richting", "af") != "op",
        page=_int(query.get("pagina"), 1, 1, 100_000),
    )


def filter_query(f: QueueFilter, **changes: str | int | None) -> str:
    """The query string of a filter, with some values changed (links to pages and sorts)."""
    values = {
        "status": f.status,
        "bestemming": f.destination,
        "gemeente": f.municipality,
        "prioriteit": f.priority,
        "ouder_dan": f.older_than_days,
        "q": f.search,
        "sla": f.sla,
        "sorteer": f.sort,
        "richting": "af" if f.descending else "op",
        "pagina": f.page,
    }
    values.update(changes)
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def status_of(value: str | None) -> Status:
    try:
        return Status(value or "")
    except ValueError:
        raise FormError("Kies een geldige status.") from None


def safe_target(value: str | None, default: str) -> str:
    """A redirect target from a form or query (`next`, `terug`), or the default.

    Only same-site relative paths under /staff/: printable ASCII (no CR/LF, which would break
    the Location header after the action was saved), no scheme or host, no `//` or
    backslash (other hosts to a browser), no dot segments (out of /staff/), also when
    percent-encoded.
    """
    if not value or len(value) > 1000 or not value.startswith("/staff/"):
        return default
    if not value.isascii() or not value.isprintable():
        return default
    path = urlsplit(value).path
    for form in (value, unquote(path), unquote(unquote(path))):
        if "//" in form or "\\" in form or any(c < " " or c == "\x7f" for c in form):
            return default
    if any(seg in {".", ".."} for seg in unquote(unquote(path)).split("/")):
        return default
    return value


def back_to(value: str | None, default: str) -> str:
    return safe_target(value, default)


def checked(form: MultiMapping[object], name: str) -> bool:
    return form.get(name) in {"1", "on", "ja", "true"}
