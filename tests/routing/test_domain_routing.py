"""The work of a municipality: a ticket that names it (paspoort, Wmo, factuur) goes to that
municipality's application for the domain; everyday words never outweigh it."""

from __future__ import annotations

import pytest
import yaml

from router.domain.nlu_catalogue import nlu_catalogue
from router.routing import textmodel
from router.routing.decision import DecisionRouter, RouteRequest
from router.routing.recognise import ApplicationRecogniser
from router.routing.training_data import cold_start_examples


class Fixed:
    def __init__(self, model):
        self.model = model

    def current(self):
        return self.model


def _tiny_model(pairs):
    """A text model of a few (text, destination) examples, each four times."""
    return textmodel.train([textmodel.Example(t, None, d) for t, d in pairs for _ in range(4)])


def _route(org, text, municipality, **kwargs):
    return DecisionRouter(org, kwargs.pop("models", None)).route(
        RouteRequest(text, municipality, **kwargs)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "de paspoortaanvraag van een inwoner blijft hangen bij opslaan",
            {"DYK": "centric", "VHN": "centric", "PLW": "pinkroccade", "HRD": "pinkroccade"},
        ),
        (
            "de Wmo-beschikking wordt niet aangemaakt",
            {"DYK": "centric", "VHN": "centric", "PLW": "centric", "HRD": "pinkroccade"},
        ),
        (
            "zaaktype ontbreekt in de lijst",
            {"DYK": "decos", "VHN": "decos", "PLW": "mintlab", "HRD": "mintlab"},
        ),
        ("mijn salarisstrook van maart is leeg", dict.fromkeys(("DYK", "PLW"), "visma-raet")),
        ("de kaartlaag met percelen laadt niet", dict.fromkeys(("VHN", "HRD"), "geo-bi")),
    ],
)
def test_a_domains_work_goes_to_the_municipalitys_application(org, text, expected):
    for municipality, destination in expected.items():
        route = _route(org, text, municipality)
        assert (route.destination, route.how) == (destination, "domain"), municipality
        assert 0.8 <= route.confidence < 1.0
        assert route.reasons  # which words decided it


def test_the_application_of_the_domain_is_named_on_the_route(org):
    assert _route(org, "Wmo-melding loopt vast", "HRD").application == "iSamenleving"
    assert _route(org, "Wmo-melding loopt vast", "DYK").application == "Suite4Sociaal Domein"


def test_an_everyday_word_never_outweighs_the_domain(org):
    text = "bij een bijstandsaanvraag loopt mijn scherm vast"
    assert _route(org, text, "DYK").destination == "centric"
    assert _route(org, text, "HRD").destination == "pinkroccade"
    computer = _route(org, "de computer loopt vast bij het verwerken van een verhuizing", "PLW")
    assert computer.destination == "pinkroccade"


def test_an_everyday_word_alone_still_routes_but_less_surely(org):
    route = _route(org, "mijn scherm is zwart", "DYK")
    assert (route.destination, route.how, route.application) == ("werkplek", "catalogue", "Laptop")
    assert route.confidence < 0.9
    assert _route(org, "mijn muis doet het niet meer", "PLW").destination == "werkplek"


def test_hint_words_of_a_domain_route_weakly_and_are_not_the_assistants(org):
    for text, expected in [
        ("mijn mail komt niet binnen", "werkplek"),
        ("de werktelefoon wil niet meer opladen", "werkplek"),
        ("ik heb geen bereik in het gemeentehuis", "kpn"),
        ("de website van de gemeente laadt niet", "netwerk"),
    ]:
        route = _route(org, text, "VHN")
        assert (route.destination, route.confidence) == (expected, 0.65), text
    # a hint word never outweighs the work of a domain
    assert _route(org, "de mail met de wmo-beschikking is niet verstuurd", "HRD").destination == (
        "pinkroccade"
    )
    lookups = yaml.safe_load(nlu_catalogue(org))["nlu"]
    domain_terms = next(x["examples"] for x in lookups if x.get("lookup") == "domain_term")
    assert "- voicemail\n" in domain_terms and "- mail\n" not in domain_terms


def test_more_everyday_words_for_one_place_win_and_a_tie_goes_to_the_model(org):
    more = _route(org, "na de update van windows blijft de werktelefoon in de wachtrij", "DYK")
    assert (more.destination, more.confidence) == ("werkplek", 0.6)
    tied = "de snelkoppeling naar de schijf is weg"
    assert _route(org, tied, "DYK").how == "triage"  # no model: no choice between the two
    model = _tiny_model(
        [
            ("de schijf is weg", "netwerk"),
            ("de map op de schijf is leeg", "netwerk"),
            ("mijn muis doet raar", "werkplek"),
            ("toetsenbord kapot", "werkplek"),
        ]
    )
    chosen = _route(org, tied, "DYK", models=Fixed(model))
    assert (chosen.destination, chosen.confidence) == ("netwerk", 0.55)


def test_a_department_named_is_where_one_works_not_what_is_wrong(org):
    headset = _route(org, "ik werk bij burgerzaken en mijn headset kraakt", "DYK")
    assert headset.destination == "werkplek"
    alone = _route(org, "bij burgerzaken loopt alles vast", "PLW")
    assert alone.destination == "pinkroccade"  # the department alone still routes
    work = _route(org, "bij burgerzaken loopt de paspoortaanvraag vast, headset werkt wel", "DYK")
    assert work.destination == "centric"  # a piece of the work outweighs the everyday word


def test_a_named_application_is_surest_and_wins_over_domain_words(org):
    named = _route(org, "Outlook geeft een foutmelding bij de mail over een paspoort", "PLW")
    assert (named.destination, named.how, named.confidence) == ("werkplek", "catalogue", 1.0)
    misspelt = _route(org, "zaaksysteeem geeft een foutmelding", "PLW")
    assert (misspelt.destination, misspelt.how) == ("mintlab", "catalogue")
    assert 0.88 <= misspelt.confidence < 1.0


def test_how_to_questions_on_a_domain_go_to_functional_management(org):
    assert _route(org, "hoe moet ik een verhuizing invoeren?", "DYK").destination == (
        "fb-burgerzaken"
    )
    assert _route(org, "waar vind ik de Jeugdwet-toewijzingen?", "HRD").destination == (
        "fb-sociaal"
    )
    question = _route(org, "de verhuizing", "PLW", type="question")
    assert question.destination == "fb-burgerzaken"
    for asked in (
        "welke knop is het om een wmo-beschikking te corrigeren",
        "is het mogelijk om een jeugdhulp toewijzing terug te zetten",
        "wat moet ik invullen bij de wmo-melding als de inwoner verhuisd is",
    ):
        assert _route(org, asked, "DYK").destination == "fb-sociaal", asked
    # A fault stays a fault: "niet" with the work goes to the supplier, not to the how-to team.
    assert _route(org, "de wmo-beschikking wordt niet aangemaakt", "DYK").destination == "centric"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mag ik een paspoort uitreiken als de pasfoto ouder is dan vijf jaar?", "fb-burgerzaken"),
        ("welke reden kies ik bij een adresonderzoek", "fb-burgerzaken"),
        ("moeten we bij een herindicatie een nieuwe beschikking maken?", "fb-sociaal"),
        # a fault told as a question stays a fault, for the supplier
        ("waarom loopt de paspoortaanvraag vast?", "centric"),
        ("kan ik geen bijstandsaanvraag meer opslaan?", "centric"),
        ("sinds vanochtend geeft de verhuizing een foutmelding, iemand een idee?", "centric"),
    ],
)
def test_a_question_without_a_fault_is_a_use_question(org, text, expected):
    assert _route(org, text, "DYK").destination == expected


def test_a_domain_without_an_application_does_not_route_and_silences_everyday_words(org):
    route = _route(org, "het scherm met de WOZ-beschikking loopt vast", "DYK")
    assert (route.destination, route.how) == ("servicedesk", "triage")


def test_compounds_match_but_short_terms_only_whole(org):
    recognise = ApplicationRecogniser(org).scan
    assert recognise("kinderpaspoort kwijt").domains == [("burgerzaken", ["paspoort"])]
    assert recognise("bijstandsuitkering stopt").domains[0][0] == "sociaal domein"
    assert recognise("ze pakte de kaartlezer").domains == []
    assert recognise("ID-kaart en id kaart").domains == [("burgerzaken", ["id kaart"])]


def test_two_domains_named_as_often_the_text_model_chooses(org):
    text = "de factuur voor de Wmo komt niet door"
    assert _route(org, text, "HRD").how == "triage"  # no model: nobody can choose
    model = _tiny_model(
        [
            ("factuur wmo", "pinkroccade"),
            ("wmo zorg", "pinkroccade"),
            ("factuur betalen", "centric"),
            ("boeking", "centric"),
        ]
    )
    route = _route(org, text, "HRD", models=Fixed(model))
    assert (route.destination, route.how) == ("pinkroccade", "domain")
    assert route.confidence < 0.8


def test_cold_start_examples_and_the_assistant_share_the_vocabulary(org):
    examples = cold_start_examples(org)
    paspoort = {(e.municipality, e.destination) for e in examples if "paspoort" in e.text}
    assert {("DYK", "centric"), ("PLW", "pinkroccade")} <= paspoort
    nlu = yaml.safe_load(nlu_catalogue(org))["nlu"]
    lookup = next(b for b in nlu if b.get("lookup") == "domain_term")["examples"]
    assert "- paspoort\n" in lookup and "- wmo\n" in lookup
    synonyms = {b["synonym"]: b["examples"] for b in nlu if "synonym" in b}
    assert "- paspoort\n" in synonyms["burgerzaken"]
    assert "paspoort" not in synonyms["Key2Burgerzaken"]
    assert "- beeldscherm\n" in synonyms["Laptop"]  # a weak synonym is still the assistant's word
    assert "- scherm\n" not in synonyms["Laptop"]  # a hint word is not
    assert "- telefoon\n" not in synonyms["Telefonie"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ik heb op een link in een verdachte mail geklikt, nu doet Outlook raar",
            "informatiebeveiliging",
        ),
        ("mijn laptop is gestolen uit de auto", "informatiebeveiliging"),
        ("usb-stick met persoonsgegevens verloren", "informatiebeveiliging"),
        ("per ongeluk een Excel met BSN's naar een externe partij gemaild", "privacy"),
        ("beschikking naar het verkeerde adres gestuurd", "privacy"),
        ("het paspoort van een inwoner is gestolen, aanvraag vermissing lukt niet", "centric"),
        ("iemand belde namens de servicedesk en vroeg om mijn inlogcode", "informatiebeveiliging"),
        (
            "de wethouder mailt dat ik met spoed een betaling moet doen, klopt dat?",
            "informatiebeveiliging",
        ),
        ("een usb-stick gevonden in de raadszaal, wat moet ik ermee", "informatiebeveiliging"),
        ("ik kreeg een authenticator-melding maar het was niet door mij", "informatiebeveiliging"),
        ("een map met dossiers laten liggen in de trein", "privacy"),
        ("de mail aan alle ouders in de cc gezet, iedereen ziet elkaars adres", "privacy"),
        ("een collega heeft zonder reden een persoonslijst opgezocht", "privacy"),
        ("de inwoner kreeg de brief van iemand anders", "privacy"),
        ("mijn outlook verstuurt berichten die ik nooit heb verstuurd", "informatiebeveiliging"),
        (
            "mijn authenticator geeft steeds inlogverzoeken terwijl ik niet aan het inloggen ben",
            "informatiebeveiliging",
        ),
        ("er is vannacht vanuit het buitenland ingelogd op mijn account", "informatiebeveiliging"),
        ("mijn cursor beweegt uit zichzelf over het scherm", "informatiebeveiliging"),
        (
            "de crediteurenadministratie kreeg een verzoek om het bedrag naar een nieuw "
            "rekeningnummer over te maken",
            "informatiebeveiliging",
        ),
        ("een onbekende man liep zonder pasje de archiefruimte in", "informatiebeveiliging"),
        ("in het besluit op de website zijn de namen van de buren niet weggelakt", "privacy"),
        ("de map met jeugddossiers is leesbaar voor iedereen op de afdelingsschijf", "privacy"),
        ("een lijst met gegevens van cliënten staat in een groepsapp met externen", "privacy"),
        ("de beschikking ging naar een verkeerd adres", "privacy"),
        (
            "een printje met uitkeringsgegevens bleef liggen op de printer en is meegenomen",
            "privacy",
        ),
        ("ik heb een qr code uit een brief gescand en mijn inloggegevens ingevuld",
         "informatiebeveiliging"),
        ("factuur van een vaste leverancier met ineens een ander rekeningnummer",
         "informatiebeveiliging"),
        ("mijn browser opent steeds zelf tabbladen met reclame", "informatiebeveiliging"),
        ("de mailbox van mijn collega stuurt allemaal links rond, ze is op vakantie",
         "informatiebeveiliging"),
        ("in de hal lag een usb-stick met een sticker erop", "informatiebeveiliging"),
        ("tijdens een huisbezoek is de tablet die ik voor de inspecties gebruik uit de fietstas "
         "gestolen", "informatiebeveiliging"),
        ("bij de printer lag een stapel uitdraaien met jeugddossiers", "privacy"),
        ("het formulier op de website toont de gegevens van de vorige bezoeker", "privacy"),
        ("in de map die we met de aanbieder delen staan medische adviezen, die horen daar niet",
         "privacy"),
        # not every "verkeerde" or "gevonden" is a breach, nor every urgent payment a fraud
        ("de leverancier stuurt een factuur met een nieuw factuurnummer, boeken lukt niet",
         "centric"),
        ("de wmo-beschikking toont het verkeerde bedrag", "centric"),
        ("ik heb het dossier van de bijstandsaanvraag niet gevonden", "centric"),
        (
            "de bijstandsuitkering wordt dubbel berekend, graag snel: de betaling is de 25e",
            "centric",
        ),
        (
            "ik kreeg een mail over de betaling van de factuur, die staat verkeerd geboekt",
            "centric",
        ),
    ],
)
def test_a_security_incident_or_breach_plain_from_the_text_goes_to_its_team(org, text, expected):
    route = _route(org, text, "DYK")
    assert route.destination == expected
    assert route.how == ("domain" if expected == "centric" else "rule")


def test_the_assistants_classification_wins_over_the_text(org):
    route = _route(org, "mijn telefoon is gestolen, paspoortaanvraag kwijt", "DYK", type="incident")
    assert route.destination == "centric"


def test_an_application_the_assistant_took_from_an_everyday_word_does_not_outweigh_the_work(org):
    # "word" is Microsoft Word to the assistant, and a typo of "wordt" to this employee.
    text = "mijn wmo beschikking word niet aangemaakt in suite, hele team kan niet verder"
    route = _route(org, text, "DYK", application="Microsoft 365")
    assert (route.destination, route.application) == ("centric", "Suite4Sociaal Domein")


def test_a_device_the_assistant_took_but_the_employee_ruled_out_gives_way_to_the_work(org):
    text = "ik heb mn laptop al herstart maar bij het vastleggen van de wmo beschikking sluit alles af"
    route = _route(org, text, "HRD", application="Laptop")
    assert route.destination == "pinkroccade"
    assert _route(org, "mijn laptop start niet op", "HRD", application="Laptop").destination == (
        "werkplek"
    )


def test_an_application_named_in_full_still_decides(org):
    text = "outlook laat de wmo beschikking als bijlage niet zien"
    assert _route(org, text, "DYK", application="Microsoft 365").destination == "werkplek"
    # An everyday word with nothing else in the text: the assistant's application stands.
    assert _route(org, "word crasht steeds", "DYK", application="Microsoft 365").destination == (
        "werkplek"
    )


@pytest.mark.parametrize(
    ("text", "municipality", "expected"),
    [
        # a hyphen splits a compound: the work is still named
        ("het re-integratietraject kan niet worden afgesloten", "DYK", "centric"),
        ("het wifi-signaal in de raadszaal valt steeds weg", "VHN", "netwerk"),
        # the department before a term is where the employee works; the fault decides
        ("bij team vergunningen kraakt mijn headset", "DYK", "werkplek"),
        # ...but a department's system is its application
        ("het burgerzakensysteem geeft een foutmelding bij printen", "PLW", "pinkroccade"),
        # more of the municipalities' work, in the employees' words
        ("erkenning van een ongeboren vrucht lukt niet", "HRD", "pinkroccade"),
        ("de bezwaarzaken staan niet meer in mijn werkvoorraad", "PLW", "mintlab"),
        ("hersteld melden na ziekte lukt niet in het personeelsportaal", "VHN", "visma-raet"),
        ("memoriaalboeking geeft 'periode gesloten'", "HRD", "centric"),
        ("de terugvordering met betalingsregeling kan ik niet vastleggen", "HRD", "pinkroccade"),
        # an application of a domain that another municipality uses: this one's application
        ("het zaaksysteem geeft een foutmelding bij openen", "DYK", "decos"),
        # the folder is the object, the work in its name only what it holds
        ("de map met bouwtekeningen op de gedeelde schijf opent erg traag", "VHN", "netwerk"),
        # where to put something in the application: a use question
        (
            "ik weet niet onder welk tabblad het verslag van het keukentafelgesprek hoort",
            "HRD",
            "fb-sociaal",
        ),
        # the device named, the network's words more
        (
            "netwerkaansluiting op mijn flexplek doet niks, laptop zegt geen netwerk",
            "PLW",
            "netwerk",
        ),
    ],
)
def test_work_named_in_compounds_and_departments_as_context(org, text, municipality, expected):
    assert _route(org, text, municipality).destination == expected


def test_a_named_device_and_as_many_words_of_another_place_the_text_model_chooses(org):
    text = "mijn wachtwoord wordt niet meer geaccepteerd op de laptop"
    assert _route(org, text, "VHN").destination == "werkplek"  # no model: the name stands
    pairs = [("wachtwoord geaccepteerd", "servicedesk"), ("wachtwoord vergeten", "servicedesk")]
    pairs += [("laptop start niet", "werkplek"), ("laptop kapot", "werkplek")]
    route = _route(org, text, "VHN", models=Fixed(_tiny_model(pairs)))
    assert (route.destination, route.confidence) == ("servicedesk", 0.55)


def test_the_assistants_everyday_device_gives_way_to_more_words_of_another_place(org):
    text = "mn laptop zegt geen netwerk maar de netwerkkabel zit er gewoon in"
    route = _route(org, text, "PLW", application="Laptop")
    assert route.destination == "netwerk"
    assert _route(org, "mn laptop start niet op", "PLW", application="Laptop").destination == (
        "werkplek"
    )


@pytest.mark.parametrize(
    ("text", "municipality", "expected"),
    [
        # an account and what happens to it: the servicedesk, whatever work is named besides
        ("mijn account is na zwangerschapsverlof geblokkeerd, kom nergens in", "DYK", "servicedesk"),
        ("nieuwe collega bij vergunningen, kunnen jullie een account klaarzetten?", "HRD",
         "servicedesk"),
        ("achternaam veranderd na mijn huwelijk, kan mijn inlognaam aangepast worden", "VHN",
         "servicedesk"),
        # ...but an application named decides, and "account" alone is still everyday
        ("het account van de stagiair in iburgerzaken geeft een foutmelding", "PLW", "pinkroccade"),
        ("de bijstandsaanvraag op mijn account loopt vast", "DYK", "centric"),
        # a device other applications run on gives way to the application named
        ("op mijn laptop maakt de vpn geen verbinding", "PLW", "netwerk"),
        ("mn laptop wil niet op het draadloze netwerk", "VHN", "netwerk"),
        ("mijn laptop start niet meer op", "VHN", "werkplek"),
        # a device ruled out: the work decides; ruled out with nothing else named, it stays
        ("bij het vastleggen van de bijstand sluit alles af, laptop al herstart", "DYK", "centric"),
        ("uittreksel afdrukken geeft een fout, aan de printer ligt het niet", "PLW", "pinkroccade"),
        ("ik heb mijn laptop al herstart maar hij blijft traag", "HRD", "werkplek"),
        # a report or dashboard is GEO & BI's, whatever work it counts
        ("het dashboard jeugdzorg toont geen cijfers meer", "DYK", "geo-bi"),
        ("de maandrapportage wmo-meldingen is niet ververst", "VHN", "geo-bi"),
        ("kunnen jullie een kaartje maken met alle speelplekken", "PLW", "geo-bi"),
        # the employee's own leave, or the team, beside a domain's work: the work decides
        ("de zaak overdragen aan een collega die met verlof gaat geeft een foutmelding", "DYK",
         "decos"),
        ("hoe zet ik een adres in onderzoek? handhaving heeft het gemeld", "HRD", "fb-burgerzaken"),
        # the first thing named is the subject: a flickering screen, whatever it shows
        ("mijn beeldscherm flikkert als ik in het zaaksysteem door dossiers scrol", "DYK",
         "werkplek"),
        # a service named outright outweighs one everyday word of another place
        ("de wifi vraagt steeds om mijn gebruikersnaam", "PLW", "netwerk"),
        # a device asked for or broken as a device, whatever work it serves
        ("kan ik een tweede beeldscherm krijgen voor de bouwtekeningen", "VHN", "werkplek"),
        ("tijdens het keukentafelgesprek via teams viel het geluid weg", "DYK", "werkplek"),
        # the subscription: bills, coverage and forwarding are KPN's
        ("de rekening van mijn werktelefoon is erg hoog na de vakantie in het buitenland", "HRD",
         "kpn"),
        ("kan het nummer van de wmo-lijn doorgeschakeld worden naar mijn mobiel", "DYK", "kpn"),
        # a team named alone is where the employee works: the telephony words decide
        ("voicemail van de teamlijn jeugd moet een nieuw bericht", "VHN", "kpn"),
        ("voor de nieuwe collega van het wijkteam graag een mobiel nummer en simkaart", "DYK",
         "kpn"),
        # ...but the domain's system named before it is the application
        ("ons systeem voor het sociaal domein is onbereikbaar voor het hele wijkteam", "HRD",
         "pinkroccade"),
        # a multi-word term is no end of a compound: "intakeformulier" is no "e-formulier"
        ("bij de schuldhulpverlening kan ik het intakeformulier niet afronden", "HRD",
         "pinkroccade"),
        # how-to questions in any verb, and set-up requests, are functional management's
        ("hoe leg ik vast dat iemand een vrijlating heeft bij de bijstand", "DYK", "fb-sociaal"),
        ("kan de signalering voor verblijfstitels aangezet worden?", "PLW", "fb-burgerzaken"),
        ("de nieuwe teamleider moet fiatteringsrechten krijgen voor wmo-beschikkingen", "DYK",
         "fb-sociaal"),
        # "bevestiging" is no "vestiging": a word after a verbal prefix is no compound
        ("de ontvangstbevestiging van het webformulier komt niet aan", "DYK", "decos"),
    ],
)
def test_accounts_carriers_ruled_out_devices_and_products(org, text, municipality, expected):
    assert _route(org, text, municipality).destination == expected


@pytest.mark.parametrize(
    "text",
    [
        "hoe staat het met M-2026-000412? nog niks gehoord",
        "de melding van vorige week over de printer is nog steeds niet opgelost",
        "ik heb per ongeluk twee keer dezelfde melding over mijn muis ingestuurd",
        "na opnieuw opstarten doet alles het weer, jullie hoeven niets meer te doen",
        "kan iemand me terugbellen? lukt niet om het uit te typen",
        "wie moet ik eigenlijk bellen als de lift in het stadskantoor niet werkt?",
        "is er ergens een pagina waar ik kan zien of er een storing is?",
        "gisteren zou iemand van jullie me terugbellen, maar ik ben niet gebeld",
        "wat is het nummer van de servicedesk buiten kantoortijden?",
    ],
)
def test_a_question_about_the_helpdesk_or_an_earlier_ticket_is_the_servicedesks(org, text):
    route = _route(org, text, "VHN")
    assert (route.destination, route.how, route.needs_review) == ("servicedesk", "rule", False)
    assert route.reasons[0].startswith("vraag aan de servicedesk: ")


def test_a_fault_with_a_call_back_request_goes_where_the_fault_belongs(org):
    text = "de paspoortaanvraag blijft hangen, kan iemand me terugbellen?"
    assert _route(org, text, "DYK").destination == "centric"
    text = "de aanvraag van mevrouw is nog steeds niet verwerkt in de bijstand"
    assert _route(org, text, "DYK").destination == "centric"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a device or network prompting for a code is no one asking for it
        ("de wifi vraagt ineens om een gebruikersnaam en wachtwoord", "netwerk"),
        ("mijn voicemail vraagt om een pincode die ik niet heb", "kpn"),
        # a folder's rights, a drive by any letter, mail on the phone, a subscription's bill
        ("kan jan schrijfrechten krijgen op de map subsidies", "netwerk"),
        ("de s-schijf is weg sinds vanochtend", "netwerk"),
        ("kan ik mijn werkmail ook op mijn eigen telefoon lezen?", "werkplek"),
        ("de teamrekening voor de mobiele telefoons is erg hoog", "kpn"),
        ("mijn toetsenbord typt alles dubbel als ik een brief schrijf", "werkplek"),
        # "ik word ..." is the verb, not Word
        ("de mfa vraagt elke keer opnieuw, ik word er gek van", "servicedesk"),
        ("in word staat de spellingscontrole op engels", "werkplek"),
        # codes for signing in on a new phone are the account's, not the subscription's
        ("ik heb een nieuwe telefoon en nu krijg ik de inlogcodes niet meer", "servicedesk"),
        # a stranger without a badge who says he is from ICT
        ("er loopt een onbekende man rond die zegt dat hij van de ict is, hij heeft geen pasje",
         "informatiebeveiliging"),
    ],
)
def test_everyday_it_in_its_own_words(org, text, expected):
    assert _route(org, text, "PLW").destination == expected
