"""Example tickets: labelled texts for the organisation, written apart from its vocabulary.

A collaboration can ship tickets as its employees write them, each with its right
destination (`data/tickets/*.jsonl`, one JSON object per line: text, municipality, expected,
and an optional kind). The router's text model trains on them and, like imported history,
they are measured out of fold: they choose the confidence from which the model routes on its
own, before the first real correction exists. Written by people who never read the
organisation file's vocabulary, they teach what the vocabulary misses (the sample
organisation's were written by separate sessions briefed with SAMPLE_ORG.md only).

The blind set in bench/data is never among them.
"""

from __future__ import annotations

import json
from pathlib import Path

from router.domain.org import Organisation
from router.store.training import RealExample

SOURCE = "example"


class ExampleTicketError(ValueError):
    """An example-ticket file that cannot be used, with the file and line."""


def load(directory: Path | None, org: Organisation) -> list[RealExample]:
    """Every example ticket under `directory` (none when it is None or absent)."""
    if directory is None or not directory.is_dir():
        return []
    examples: list[RealExample] = []
    for path in sorted(directory.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if line.strip():
                examples.append(_example(org, line, f"{path.name}:{number}"))
    return examples


def _example(org: Organisation, line: str, where: str) -> RealExample:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ExampleTicketError(f"{where}: not JSON ({exc.msg})") from None
    text, municipality, expected = row.get("text"), row.get("municipality"), row.get("expected")
    if not isinstance(text, str) or not text.strip():
        raise ExampleTicketError(f"{where}: 'text' is missing or empty")
    if municipality not in {m.key for m in org.municipalities}:
        raise ExampleTicketError(f"{where}: unknown municipality {municipality!r}")
    if expected not in org.destination_keys():
        raise ExampleTicketError(f"{where}: unknown destination {expected!r}")
    return RealExample(SOURCE, 0, text, municipality, expected, None)
