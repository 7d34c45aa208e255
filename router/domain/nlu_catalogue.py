"""NLU data for the assistant, derived from the organisation file: synonyms and lookups.

`application` and `municipality` map to canonical names; `domain_term` (paspoort, Wmo,
factuur...) maps to the domain's name ("burgerzaken"), not to an application: which
application that is depends on the municipality, and the router decides it.
"""

from __future__ import annotations

import yaml

from router.domain.org import Organisation

HEADER = "# Generated from the organisation file by `loket org nlu`; do not edit by hand.\n"


def _synonym(value: str, words: list[str]) -> dict:
    examples = sorted({w for w in words if w != value}, key=str.casefold)
    return {"synonym": value, "examples": "".join(f"- {w}\n" for w in examples)}


def nlu_catalogue(org: Organisation) -> str:
    """Rasa 3 NLU YAML: lookup tables and synonyms for `application`, `municipality` and
    `domain_term`."""
    nlu: list[dict] = []
    for app in org.applications:
        nlu.append(_synonym(app.name, [app.name.lower(), *app.all_synonyms()]))
    for muni in org.municipalities:
        short = muni.name.removeprefix("Gemeente ").strip()
        nlu.append(
            _synonym(muni.name, [short, short.lower(), muni.key, muni.key.lower(), *muni.synonyms])
        )
    for domain in org.domains:
        nlu.append(_synonym(domain.name, list(domain.terms)))
    app_words = sorted(
        {w for a in org.applications for w in (a.name, *a.all_synonyms())}, key=str.casefold
    )
    domain_words = sorted({t for d in org.domains for t in d.terms}, key=str.casefold)
    muni_words = sorted(
        {
            w
            for m in org.municipalities
            for w in (m.name, m.name.removeprefix("Gemeente "), *m.synonyms)
        },
        key=str.casefold,
    )
    nlu.append({"lookup": "application", "examples": "".join(f"- {w}\n" for w in app_words)})
    nlu.append({"lookup": "municipality", "examples": "".join(f"- {w}\n" for w in muni_words)})
    if domain_words:
        nlu.append({"lookup": "domain_term", "examples": "".join(f"- {w}\n" for w in domain_words)})
    body = yaml.dump(
        {"version": "3.1", "nlu": nlu},
        Dumper=_LiteralDumper,
        allow_unicode=True,
        sort_keys=False,
        width=1000,
    )
    return HEADER + body


class _LiteralDumper(yaml.SafeDumper):
    pass


def _literal(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _literal)
