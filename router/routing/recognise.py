"""Recognise what a ticket text is about: an application of the organisation, or the work of
one of its domains (paspoort, Wmo, factuur...), each with a strength.

Strong: an application's name or distinctive synonym, exact (word boundaries, any case) or
misspelt (fuzzy matching of single words, "youforse"). Domain: a term of a domain's work,
also inside Dutch compounds ("bijstandsaanvraag", "kinderpaspoort"). Weak: everyday words
that are also synonyms ("scherm", "word"), the terms of generic domains ("muis",
"internet") and the domains' hint words ("mail"): they never outweigh a strong or a domain
signal.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process

from router.domain.org import PAIR_WINDOW, Application, Organisation, normalise_term
from router.domain.vocabulary import TicketType

FUZZY_THRESHOLD = 88  # rapidfuzz ratio; below this, false matches on ordinary Dutch words grow
FUZZY_MIN_LENGTH = 6  # short words ("join", "teams") only match exactly
# A term this long also starts a compound ("bijstand" in "bijstandsaanvraag") or ends one
# ("paspoort" in "kinderpaspoort"); shorter ones only match whole ("kaart" not "kaartlezer",
# "akte" not "pakte").
PREFIX_MIN = 6
SUFFIX_MIN = 6
_LONG_WORD = re.compile(rf"[\w.-]{{{FUZZY_MIN_LENGTH},}}")
# A term after one of these is another word, not the end of a compound: "bevestiging" is no
# "vestiging", "gevoerd" no "voerd".
_VERB_PREFIXES = ("be", "ge", "ont", "ver")


@dataclass(frozen=True)
class Findings:
    """What a text names. `domains`: the terms found per non-generic domain, most first."""

    application: Application | None = None
    fuzzy: float = 1.0  # 1.0 for an exact name, else the fuzzy match's ratio / 100
    domains: list[tuple[str, list[str]]] = field(default_factory=list)
    weak: list[tuple[str, str]] = field(default_factory=list)  # (application or domain, word)
    # Every domain named only by its own name ("burgerzaken", "sociaal domein"): the text
    # names the employee's department, not a piece of its work.
    department_only: bool = False
    # Applications the text names only in passing: spelt as another word ("ik word") or a
    # device the employee ruled out ("laptop al herstart"); the assistant may have taken them.
    not_meant: list[str] = field(default_factory=list)


class TermMatcher:
    """The domains' terms: exact n-grams of words, and single words inside compounds."""

    def __init__(self, org: Organisation) -> None:
        self.generic = {d.name for d in org.domains if d.generic}
        self.products = {normalise_term(t) for d in org.domains for t in d.product_terms}
        # each domain's own name and its departments' names: where an employee works
        self.departments = {
            d.name: {normalise_term(t) for t in [d.name, *d.department_terms]} for d in org.domains
        }
        self.hints = {"".join(normalise_term(w).split()) for d in org.domains for w in d.hint_words}
        self.words: dict[str, str] = {}  # one-word term -> domain
        self.phrases: dict[tuple[str, ...], str] = {}
        # Only a one-word term starts or ends a compound: "e-formulier" is not the end of
        # "intakeformulier".
        compounding: dict[str, str] = {}
        for domain in org.domains:
            for term in [*domain.terms, *domain.hint_words]:
                words = tuple(normalise_term(term).split())
                if len(words) > 1:
                    self.phrases[words] = domain.name
                self.words["".join(words)] = domain.name  # "id kaart" also as "idkaart"
            for term in [*domain.terms, *domain.hint_words]:
                words = tuple(normalise_term(term).split())
                if len(words) == 1:
                    compounding[words[0]] = domain.name
        self.longest = max((len(p) for p in self.phrases), default=1)
        self._starts = {p[0] for p in self.phrases}
        self.prefixes = {w: d for w, d in compounding.items() if len(w) >= PREFIX_MIN}
        self.suffixes = {w: d for w, d in compounding.items() if len(w) >= SUFFIX_MIN}
        # Most words of a ticket start and end unlike any term: skip them after one lookup.
        self._heads = {w[:3] for w in self.prefixes}
        self._tails = {w[-3:] for w in self.suffixes}
        self._word = functools.lru_cache(maxsize=50_000)(self._lookup)

    def find(self, tokens: list[str]) -> list[tuple[str, str, int]]:
        """(domain, term, index of its first token), longest phrases first, left to right."""
        found = []
        i = 0
        while i < len(tokens):
            longest = min(self.longest, len(tokens) - i) if tokens[i] in self._starts else 1
            for n in range(longest, 1, -1):
                domain = self.phrases.get(tuple(tokens[i : i + n]))
                if domain:
                    found.append((domain, " ".join(tokens[i : i + n]), i))
                    i += n
                    break
            else:
                hit = self._word(tokens[i])
                if hit is None and len(tokens[i]) <= 2 and i + 1 < len(tokens):
                    # "re-integratietraject": a hyphen split off a short first part
                    hit = self._word(tokens[i] + tokens[i + 1])
                    if hit and hit[1].startswith(tokens[i]):  # not "de" + "...zakenapplicatie"
                        found.append((hit[0], hit[1], i))
                        i += 2
                        continue
                    hit = None
                if hit:
                    found.append((hit[0], hit[1], i))
                i += 1
        return found

    def _lookup(self, token: str) -> tuple[str, str] | None:
        if token in self.words:
            return self.words[token], token
        if token[:3] in self._heads:
            for k in range(len(token) - 1, PREFIX_MIN - 1, -1):  # the longest head first
                if token[:k] in self.prefixes:
                    return self.prefixes[token[:k]], token[:k]
        if token[-3:] in self._tails:
            for k in range(len(token) - 1, SUFFIX_MIN - 1, -1):
                if token[-k:] in self.suffixes and not token[:-k].endswith(_VERB_PREFIXES):
                    return self.suffixes[token[-k:]], token[-k:]
        return None


# Words before a domain's term that make it the employee's department ("team handhaving"),
# and after its own name that make it the domain's application ("burgerzaken systeem").
_DEPARTMENT_BEFORE = {"team", "afdeling", "sector", "cluster", "bureau", "unit", "teams"}
_DEPARTMENT_OF = {
    *((who, "bij") for who in ("medewerker", "medewerkers", "collega", "collegas", "werk",
                               "werkzaam", "werken", "stagiair", "stagiaire", "begint", "start")),
    *((what, "van") for what in ("nummer", "telefoonnummer", "lijn", "teamlijn", "voicemail",
                                 "mailbox", "map", "teammap", "schijf", "printer", "wachtrij")),
}  # fmt: skip
_SYSTEM_AFTER = ("systeem", "pakket", "applicatie", "programma", "software", "module", "app")


def _names_system(tokens: list[str], domain: str, term: str, i: int) -> bool:
    """ "burgerzakensysteem", "sociaal domein applicatie", "het systeem voor het sociaal
    domein": the domain's application."""
    if term != normalise_term(domain):
        return False
    words = term.split()
    rest = tokens[i][len(term) :] if len(words) == 1 and tokens[i] != term else ""
    after = tokens[i + len(words)] if i + len(words) < len(tokens) else ""
    before = [t for t in tokens[max(0, i - 3) : i] if t not in ("het", "de", "ons", "onze")]
    system_of = len(before) >= 2 and before[-1] in ("voor", "van") and before[-2].startswith(
        _SYSTEM_AFTER
    )
    return (rest or after).startswith(_SYSTEM_AFTER) or system_of


def _as_department(
    tokens: list[str], domain: str, term: str, i: int, departments: set[str]
) -> bool:
    """Whether this mention of a domain names where the employee works, not the work."""
    if i > 0 and tokens[i - 1] in _DEPARTMENT_BEFORE:
        return True
    if i > 1 and (tokens[i - 2], tokens[i - 1]) in _DEPARTMENT_OF:
        return True  # "een nieuwe medewerker bij vergunningen", "het nummer van burgerzaken"
    words = term.split()
    whole = tokens[i : i + len(words)] == words
    after = tokens[i + len(words)] if i + len(words) < len(tokens) else ""
    return whole and term in departments and not after.startswith(_SYSTEM_AFTER)


# The verb "worden" in its forms that are spelt like the application "Word".
_WORD_AS_VERB = re.compile(
    r"\b(?:ik|je|jij|u) (word)\b|\b(word) (?:er|ik|je|steeds|telkens|gek|niet|elke|echt|"
    r"daar|hier|vaak|soms|nu|dan|weer)\b"
)


def _words(words: list[str]) -> set[str]:
    return {"".join(normalise_term(w).split()) for w in words}


# "ik heb mijn laptop al herstart", "aan de printer ligt het niet", "thuis en op kantoor
# hetzelfde": a device the employee has ruled out.
_RULED_OUT = re.compile(
    r"\b(heb|hebben) (ik )?(mijn|de|het|onze|die) [\w-]+ (al |ook |zelf )?(een paar keer |"
    r"meerdere keren |twee keer |drie keer |nog )?(opnieuw (op)?gestart|herstart|uit en aan gezet|"
    r"uit- en aangezet|afgesloten)|"
    r"\b[\w-]+ (is )?(al|ook al|zelf al) (een paar keer |meerdere keren |twee keer )?"
    r"(opnieuw (op)?gestart|herstart|uit en aan gezet|uit- en aangezet)|"
    r"\b(ook )?na (het )?(opnieuw )?((op)?starten|herstarten|een herstart) van (mijn|de|het) "
    r"[\w-]+|"
    r"\bligt (het )?niet aan (de|mijn|het|onze) [\w-]+|\baan (de|mijn|het|onze) [\w-]+ ligt "
    r"het niet|\bop (een )?andere (laptop|pc|computer|werkplek)\b|"
    r"\b(thuis|vanuit huis|vanuit de thuiswerkomgeving|via citrix|in citrix) en op (kantoor|"
    r"het stadhuis|het gemeentehuis)|\b(op kantoor|vanuit de thuiswerkomgeving) en (thuis|"
    r"vanuit huis)",
    re.IGNORECASE,
)


class ApplicationRecogniser:
    def __init__(self, org: Organisation) -> None:
        self._by_word: dict[str, Application] = {}
        self._weak: set[str] = set()
        for app in org.applications:
            for word in (app.name, *app.synonyms):
                self._by_word[word.casefold()] = app
            for word in app.weak_words():
                self._by_word[word.casefold()] = app
                self._weak.add(word.casefold())
        # Longest first, so "citrix workspace" wins over "citrix". A name also starts a
        # compound written with a hyphen ("wifi-signaal").
        words = sorted(self._by_word, key=len, reverse=True)
        self._exact = re.compile(
            r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?!\w)"
        )  # searched in the casefolded text: half the time of a case-insensitive search
        # Weak words are left out: "computers" must not become a strong "computer".
        self._fuzzy_words = [
            w for w in words if " " not in w and len(w) >= FUZZY_MIN_LENGTH and w not in self._weak
        ]
        self.terms = TermMatcher(org)
        self._pairs = [
            (app, _words(pair.things), _words(pair.events)) for app in org.applications
            for pair in app.pairs
        ]
        # Tickets share most of their words: each is compared with the names once.
        self._fuzzy = functools.lru_cache(maxsize=50_000)(self._closest)

    def find(self, text: str) -> Application | None:
        """The application the text names distinctively, or None."""
        return self.scan(text).application

    def scan(self, text: str) -> Findings:
        """Everything the text names, with its strength. A device the employee ruled out ("ik
        heb mijn laptop al herstart") does not count when the rest names something else."""
        found = self._scan(text)
        named = found.application
        if named is None or named.domain not in self.terms.generic:
            return found
        if not _RULED_OUT.search(text):
            return found
        rest = _RULED_OUT.sub(" , ", text)
        other = self._scan(rest)
        if other.domains or (other.application is not None and other.application != named):
            return replace(other, not_meant=[*other.not_meant, named.name])
        return found

    def _scan(self, text: str) -> Findings:
        lowered = text.casefold()
        matches = [(m.start(), m.group(1)) for m in self._exact.finditer(lowered)]
        not_meant: list[str] = []
        if "word" in lowered:  # "ik word steeds uitgelogd" is no Word
            spans = {m.start(m.lastindex or 0) for m in _WORD_AS_VERB.finditer(lowered)}
            not_meant = [self._by_word[w].name for at, w in matches if at in spans]
            matches = [(at, w) for at, w in matches if at not in spans]
        weak = [(self._by_word[w].name, w) for _, w in matches if w in self._weak]
        tokens = normalise_term(text).split()
        # (where, application, named by a pair), in the order the text names them
        strong = [(at, self._by_word[w], False) for at, w in matches if w not in self._weak]
        if self._pairs:
            paired = [(lowered.find(tokens[i]), app, True) for i, app in self._paired(tokens)]
            strong = sorted(strong + paired, key=lambda named: named[0])
        terms = self.terms.find(tokens)
        per_domain: dict[str, list[str]] = {}
        for domain, term, i in terms:
            if domain in self.terms.generic or term.replace(" ", "") in self.terms.hints:
                weak.append((domain, term))
                continue
            listed = per_domain.setdefault(domain, [])
            if term not in listed:
                listed.append(term)
            if _names_system(tokens, domain, term, i) and f"{term} (systeem)" not in listed:
                listed.append(f"{term} (systeem)")  # "het burgerzakensysteem": counts double
            if term in self.terms.products and f"{term} (product)" not in listed:
                listed.append(f"{term} (product)")  # "het dashboard jeugdzorg": counts double
        named = [t for t in terms if t[0] in per_domain]
        systems = any(t.endswith("(systeem)") for listed in per_domain.values() for t in listed)
        as_department = {
            t: not systems and _as_department(tokens, *t, self.terms.departments[t[0]])
            for t in named
        }
        department = bool(named) and all(as_department.values())
        if not department:  # "bij team handhaving loopt de bijstandsaanvraag vast": the work
            at_work = {t[0] for t, only_there in as_department.items() if not only_there}
            per_domain = {d: terms for d, terms in per_domain.items() if d in at_work}
        domains = sorted(per_domain.items(), key=lambda item: -len(item[1]))
        if strong:
            # a device named as the place of the work gives way; asked for or broken, it is
            # the subject ("beeldscherm flikkert als ik in het zaaksysteem scrol")
            first = next((a for _, a, by_pair in strong if by_pair or not a.carrier), None)
            return Findings(first or strong[0][1], 1.0, domains, weak, department, not_meant)
        term_tokens = {tokens[i] for _, _, i in terms}
        for token in _LONG_WORD.findall(text.casefold()):
            if term_tokens and normalise_term(token) in term_tokens:
                continue  # "burgerzaken" is work of a domain, not a misspelt "iburgerzaken"
            best = self._fuzzy(token)
            if best:
                app = self._by_word[best[0]]
                return Findings(app, best[1] / 100, domains, weak, department, not_meant)
        return Findings(None, 1.0, domains, weak, department, not_meant)

    def _paired(self, tokens: list[str]) -> list[tuple[int, Application]]:
        """Applications named by a thing and what happens to it ("account ... geblokkeerd"),
        with the index of the first such thing."""
        named = []
        joined = [a + b for a, b in zip(tokens, tokens[1:], strict=False)]  # "e mailadres"
        for app, things, events in self._pairs:
            at = [i for i, t in enumerate(tokens) if t in things]
            at += [i for i, t in enumerate(joined) if t in things]
            if not at:
                continue
            happens = [j for j, t in enumerate(tokens) if t in events]
            paired = [i for i in at if any(abs(i - j) <= PAIR_WINDOW for j in happens)]
            if paired:
                named.append((min(paired), app))
        return named

    def _closest(self, token: str) -> tuple[str, float] | None:
        best = process.extractOne(
            token, self._fuzzy_words, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD
        )
        return (best[0], best[1]) if best else None


# What a security incident or a data breach sounds like, in lower case (searched in a lowered
# text: half the time of a case-insensitive search), when the assistant did not say which
# it is (a ticket from e-mail, the API, an import): they go to their team whatever the text
# names besides. A lost or stolen device is a security incident, even with personal data on it.
_DEVICE = r"(laptop|telefoon|mobiel|smartphone|tablet|usb[- ]?stick|toegangspas|pasje)"
_SECURITY = re.compile(
    r"phishing|phising|malware|ransomware|spyware|adware|trojan|\bvirus|\bgehackt|\bhacker|"
    r"\bhack\b|losgeld|\bverdacht|\bnep-?(mail|bericht|website|site|link)|oplicht|fraude|"
    r"spoof|social engineering|deed (zich )?(voor )?als|gaf zich uit voor|"
    r"(rare|vreemde|onbekende) (e-?mail|mail|link|bijlage|sms|programma|aanmelding|inlog|"
    r"login|inlogpoging|locatie|apparaat|pop-?ups?|usb|site|website|pagina|apps?|extensies?|"
    r"programma's|afzender|account)|inlogpoging|"
    r"(mfa|inlog|aanmeld|authenticator)\w*\b.{0,60}\b(niet zelf|niet door mij|was ik niet|"
    r"niet van mij)\b|"
    r"\b(ik|zelf) (heb )?(niet|nooit) (ingelogd|aangemeld|aangevraagd)|"
    r"(gevonden|vreemde|onbekende) usb|usb[- ]?stick\b.{0,30}\bgevonden|"
    r"(account|mailbox)\b.{0,30}\b(overgenomen|misbruikt)|"
    r"(wachtwoord|inloggegevens|inlogcode)\b.{0,40}\b(ingevuld op|gegeven aan|doorgegeven|"
    r"gedeeld met)|"
    r"(link|bijlage)\b.{0,40}\b(geklikt|geopend)|bestanden.{0,30}versleutel|"
    # a person or a message asking, not a device prompting ("de wifi vraagt om een wachtwoord")
    r"(\b(iemand|beller|afzender|persoon|man|vrouw|mail|mailtje|bericht|sms|appje|site|website|"
    r"pagina|link)\b.{0,20}\bvraagt|vroeg|vragen|belde)\b.{0,40}\b(mijn |om |naar )?"
    r"(wachtwoord|inloggegevens|"
    r"inlogcode|verificatiecode|sms-code|pincode)|iemand anders\b.{0,30}\b(ingelogd|"
    r"toegang|in mijn)|op afstand (overgenomen|meekijken)|teamviewer|anydesk|"
    r"virusmelding|antivirus|cadeaukaart|cadeaubon|\bbesmet|zogenaamde?\b|"
    r"meekijken op afstand|op afstand\b.{0,20}\b(meekijken|meekeek|inloggen|overnemen)|"
    r"(tientallen|heel veel|steeds|continu|constant|allemaal)\b.{0,20}\b(mfa|inlog|aanmeld|"
    r"authenticator|verificatie)\w*[- ]?(verzoek|melding|poging|code)|"
    r"terwijl ik\b.{0,20}\bniet (aan het )?(inlog|aanmeld)|"
    r"(ingelogd|inlog|aanmeld|login)\w*\b.{0,40}\b(vanuit|uit|in) (rusland|china|nigeria|"
    r"iran|noord-korea|het buitenland|een (ander|vreemd) land)|"
    r"(vanuit|uit) (rusland|china|nigeria|iran|noord-korea|het buitenland)\b.{0,40}\b(ingelogd|"
    r"inlog|aanmeld|login)|extern\w* (account|afzender)\b|"
    r"(die|dat|wat) ik (niet|nooit) (zelf )?(heb )?(verstuurd|gestuurd|verzonden|"
    r"ge[iï]nstalleerd|gedownload|aangevraagd)|niet zelf (heb )?(ge[iï]nstalleerd|verstuurd)|"
    r"(muis|cursor|muisaanwijzer)\b.{0,20}\bbeweegt\b.{0,15}\b(vanzelf|uit zichzelf)|"
    r"(belde|belt|bel|mail|mailde|bericht|chatbericht|sms)\w*\b.{0,40}\bnamens (microsoft|"
    r"de helpdesk|de servicedesk|ict|it|de bank|de belastingdienst)|"
    r"(iemand|hij|zij|ze|beller|afzender|persoon)\b.{0,30}\b(vroeg|wilde|zei)\b.{0,50}\b"
    r"(te installeren|installeren|downloaden)|"
    r"(sms|mail|link|bericht|site|website|pagina)\b.{0,60}\b(gegevens|wachtwoord|"
    r"inloggegevens|pincode)\b.{0,20}\b(ingevuld|ingetypt|opgegeven)|"
    r"extensies?\b.{0,30}\b(veranderd|anders|vreemd|raar)|"
    r"(mail\w*|bericht|appje|sms)\b.{0,40}\b(spoed|snel|direct|dringend|vandaag nog)\w*\b"
    r".{0,40}\b(betaling|overboeking|overmaken|over te maken|overboeken)|"
    r"(verzoek|vraagt|vroeg)\b.{0,50}\b(over te maken|overmaken|overboeken)|"
    r"(over te maken|overmaken|overboeken|overboeking|betaling)\b.{0,60}\b(nieuw|ander)e? "
    r"(rekeningnummer|iban|bankrekening)|"
    r"(onbekende|vreemde)\b.{0,40}\b(liep|loopt|rondlopen|rondliep|binnen|naar binnen)|"
    r"zonder (pasje|toegangspas)|achter (mij|me|ons) aan (naar )?binnen|"
    r"(loopt|liep|lopen|liepen)\b.{0,20}\b(onbekende|vreemde) (man|vrouw|persoon|mensen)|"
    r"(heeft|had) geen (pasje|toegangspas)|"
    r"(zegt|zei) dat (hij|zij|ze) .{0,20}(van de ict|van ict|van de servicedesk|van de helpdesk)|"
    r"(zwart|vreemd) (venster|schermpje|scherm) (ging |gaat )?open|"
    rf"{_DEVICE}\b.{{0,40}}\b(gestolen|kwijt|verloren)|{_DEVICE}\b.{{0,80}}\bgestolen|"
    r"qr[- ]?code\b.{0,120}\b(inlog\w*|account|wachtwoord|beveiliging|verlengen|verifi\w*)|"
    r"(inlog\w*|account|wachtwoord|beveiliging)\b.{0,120}\bqr[- ]?code|"
    r"(factuur|facturen|leverancier|crediteur)\w*\b.{0,80}\b(nieuw|ander|gewijzigd)e? "
    r"(rekeningnummer|iban|bankrekening)|"
    r"(tabbladen|pop-?ups|vensters|schermen|meldingen) met (reclame|advertenties)|"
    r"(mailbox|account|mail) van (mijn |mn |een )?collega\b.{0,60}\b(stuurt|verstuurt|"
    r"verstuurde|verstuurd|verzendt)\b|"
    r"\b(lag|lagen|vond|vonden)\b.{0,30}\busb[- ]?stick|usb[- ]?stick\b.{0,40}\b(lag|lagen|"
    r"aangetroffen|achtergelaten)\b|"
    rf"\b(gestolen|verloren|kwijtgeraakt)\b.{{0,30}}{_DEVICE}",
)
_BREACH = re.compile(
    r"datalek|data lek|privacylek|privacy-incident|"
    r"(gestuurd|verstuurd|gemaild|bezorgd|terechtgekomen|beland) (naar|bij|aan) "
    r"(een |de |het )?(verkeerde?|buren|iemand anders|een ander)|"
    r"(persoonsgegevens|bsn|burgerservicenummers?|medische gegevens|gegevens van (andere|"
    r"meerdere))\b.{0,60}\b(zichtbaar|openbaar|in te zien|inzien|ingezien|gezien|meegestuurd|"
    r"op straat|op internet|gepubliceerd)|"
    r"(verkeerde?|onjuiste) (adres|ontvanger|persoon|inwoner|burger|cli[eë]nt|klant|naam|"
    r"mailadres|e-?mailadres|bijlage|dossier|brief|zaak)|(aan|naar|bij) de verkeerde|"
    r"niet\b.{0,12}\b(zwart ?gelakt|weggelakt|geanonimiseerd|onleesbaar gemaakt)|"
    r"(leesbaar|zichtbaar|toegankelijk|in te zien|te openen) ((is|was|zijn|waren) )?voor "
    r"(iedereen|alle|andere)|"
    r"(stond|stonden|staat|staan|zichtbaar)\b.{0,40}\b(naam en (het )?adres|namen en adressen|"
    r"bsn|persoonsgegevens)|"
    r"waar iedereen (bij|in) kan|iedereen met de link|"
    r"(gegevens|dossiers?)\b.{0,100}\b(externen|externe partij|openbare|groepsapp|whatsapp|"
    r"buurtapp|prive|privé|gmail|hotmail)|"
    r"(kentekens|gezichten)\b.{0,80}\b(openbare|groepsapp|buurtapp|whatsapp|facebook|"
    r"social media|gedeeld)|"
    r"geheimhouding\b.{0,80}\b(doorgegeven|gegeven|verteld|gedeeld|gestuurd)\b|"
    r"(doorgegeven|verteld|gegeven)\b.{0,80}\bgeheimhouding|"
    r"(bijlage|gekregen|ontvangen|meegestuurd|bijgevoegd)\b.{0,80}\bvan (iemand anders|"
    r"een andere? (inwoner|burger|cli[eë]nt|klant|aanvrager|persoon))|"
    r"(per ongeluk|per abuis|per vergissing|abusievelijk)\b.{0,80}\b(gemaild|gestuurd|"
    r"verstuurd|gedeeld|doorgestuurd|gepubliceerd|geplaatst|meegestuurd|opgestuurd|geupload|"
    r"zichtbaar|ingezien|bekeken)\b|"
    r"\b(in de )?cc\b.{0,40}\b(bcc|zichtbaar|iedereen)|\bbcc\b.{0,40}\b(vergeten|niet)|"
    r"(gegevens|dossier|brief|post|beschikking|uittreksel)\w* van (een )?(andere|iemand anders|"
    r"een ander)|niet (voor (hem|haar|hen|hun|mij|ons) )?bestemd|onbevoegd|"
    r"zonder (reden|aanleiding|toestemming)\b.{0,40}\b(ingezien|ingekeken|bekeken|opgezocht|"
    r"geraadpleegd)|"
    r"(dossiers?|papieren|map|stukken|printjes?|prints?|uitdraai\w*|ordner|uittreksel|"
    r"\w*gegevens)\b.{0,80}\b(laten liggen|blijven liggen|bleef liggen|in de trein|op straat|"
    r"in de bus|meegenomen)|"
    r"(papieren|printjes?|prints?|uitdraai\w*|ordners?|stukken|map met)\b.{0,80}\b(kwijt|"
    r"verloren|gevonden|weg)\b|"
    r"(persoonsgegevens|bsn|burgerservicenummer)\b.{0,60}\b(gelekt|gedeeld met|"
    r"gemaild naar|gestuurd naar|verstuurd naar)|"
    r"\b(lag|lagen|liggen|slingerde|slingerden)\b.{0,60}\b(uitdraai\w*|prints?|printjes?|stapel|"
    r"papieren)\b.{0,60}\b(\w*dossiers?|\w*gegevens|bsn)|"
    r"gegevens van (de |een )?(vorige|andere) (bezoeker|gebruiker|klant|inwoner|aanvrager)|"
    r"medische? (adviezen|advies|gegevens|informatie|rapportages?)\b.{0,100}\b(externe?|"
    r"derden|niet (thuis)?horen|horen (daar |er |hier )?niet)",
)


# Every pattern above needs one of these; most tickets have none, and a substring test is
# cheaper than the patterns on a long text.
_CUES = (
    "phish", "phis", "malware", "ransom", "spyware", "adware", "trojan", "virus", "hack",
    "losgeld", "verdacht", "nep", "oplicht", "fraude", "spoof", "social", "deed", "uit voor",
    "rare ", "vreemde", "onbekende", "inlogpoging", "niet zelf", "niet door mij", "was ik niet",
    "niet van mij", "ingelogd", "aangemeld", "aangevraagd", "gevonden", "overgenomen",
    "misbruikt", "ingevuld op", "gegeven aan", "doorgegeven", "gedeeld", "geklikt", "geopend",
    "versleutel", "gestolen", "kwijt", "verloren", "laten liggen", "blijven liggen",
    "in de trein", "op straat", "in de bus", "datalek", "data lek", "verkeerde", "onjuiste",
    "per ongeluk", "per abuis", "per vergissing", "abusievelijk", "gelekt", "gemaild",
    "gestuurd", "verstuurd", "cc", "andere", "iemand anders", "een ander", "bestemd",
    "onbevoegd", "zonder", "vraagt", "vroeg", "vragen", "belde", "op afstand", "teamviewer",
    "anydesk", "virus", "cadeau", "betaling", "overboeking", "overmaken",
    "privacy", "verkeerd", "bezorgd", "terechtgekomen", "beland", "zichtbaar", "openbaar",
    "inzien", "ingezien", "gezien", "meegestuurd", "gepubliceerd", "besmet", "zogenaamd",
    "afstand", "inlog", "aanmeld", "terwijl ik", "ik niet", "ik nooit", "niet zelf", "beweegt",
    "namens", "installeren", "downloaden", "ingevuld", "ingetypt", "opgegeven", "extensie",
    "rekeningnummer", "iban", "bankrekening", "onbekende", "pasje", "toegangspas", "achter m",
    "achter ons", "venster", "gelakt", "geanonimiseerd", "onleesbaar", "leesbaar",
    "toegankelijk", "te openen", "iedereen", "extern", "openbare", "groepsapp", "whatsapp",
    "buurtapp", "prive", "privé", "gmail", "hotmail", "kenteken", "gezichten", "geheimhouding",
    "bijlage", "gekregen", "ontvangen", "bijgevoegd", "liggen", "meegenomen", "print",
    "uitdraai", "ordner", "map met", "rare", "rusland", "china", "nigeria", "iran", "korea",
    "buitenland", "stond", "staat", "staan", "qr", "rekeningnummer", "reclame", "advertentie",
    "collega", "usb", "lag", "liggen", "slingerde", "vorige", "medisch",
)  # fmt: skip


# Every branch of _SECURITY needs one of these (its rarest part): the pattern is the slowest
# step of a route (2.4 ms on 600 characters), and most tickets that pass _CUES have none.
_SECURITY_CUES = (
    "phishing", "phising", "malware", "ransomware", "spyware", "adware", "trojan", "virus",
    "hack", "losgeld", "verdacht", "nep", "oplicht", "fraude", "spoof", "social engineering",
    "deed ", "gaf zich uit voor", "rare ", "vreemd", "onbekend", "niet zelf", "niet door mij",
    "was ik niet", "niet van mij", "ingelogd", "aangemeld", "aangevraagd", "usb",
    "overgenomen", "misbruikt", "ingevuld op", "gegeven aan", "doorgegeven", "gedeeld met",
    "geklikt", "geopend", "versleutel", "vraagt", "vroeg", "vragen", "belde", "iemand anders",
    "op afstand", "teamviewer", "anydesk", "cadeau", "besmet", "zogenaamd", "mfa", "inlog",
    "aanmeld", "authenticator", "verificatie", "terwijl ik", "rusland", "china", "nigeria",
    "iran", "noord-korea", "buitenland", "ander land", "extern", "ik niet", "ik nooit",
    "beweegt", "namens", "installeren", "downloaden", "ingevuld", "ingetypt", "opgegeven",
    "extensie", "betaling", "overboek", "overmak", "over te maken", "rekeningnummer", "iban",
    "bankrekening", "pasje", "toegangspas", "achter ", "zegt dat", "zei dat", "zwart",
    "gestolen", "kwijt", "verloren", "qr", "reclame", "advertenties", "collega",
)  # fmt: skip


# Every branch of _BREACH needs one of these: its `\w*` and `.{0,80}` gaps make it the
# slowest pattern left (0.1 ms on a one-line ticket), and most tickets hold none of them.
_BREACH_CUES = (
    "datalek", "data lek", "privacylek", "privacy-incident", "verkeerd", "buren",
    "iemand anders", "een ander", "andere", "gegevens", "bsn", "burgerservicenummer",
    "onjuiste", "gelakt", "geanonimiseerd", "onleesbaar", "iedereen", "voor alle", "naam en",
    "namen en adressen", "kentekens", "gezichten", "geheimhouding", "per ongeluk", "per abuis",
    "per vergissing", "abusievelijk", "bcc", "zichtbaar", "bestemd", "onbevoegd", "zonder",
    "dossier", "liggen", "in de trein", "op straat", "in de bus", "meegenomen", "papier",
    "print", "uitdraai", "ordner", "stukken", "map met", "stapel", "medisch",
)  # fmt: skip


# An incident is told in a ticket's first lines: a forwarded mail thread below them would
# only cost the patterns' time (their gaps of up to 60 characters make them slow to scan).
_INCIDENT_CHARS = 600


def incident_kind(text: str) -> TicketType | None:
    """security_incident or data_breach when the text plainly says so, else None."""
    lowered = text[:_INCIDENT_CHARS].lower()
    if not any(cue in lowered for cue in _CUES):
        return None
    if any(cue in lowered for cue in _SECURITY_CUES) and _SECURITY.search(lowered):
        return TicketType.security_incident
    if any(cue in lowered for cue in _BREACH_CUES) and _BREACH.search(lowered):
        return TicketType.data_breach
    return None
