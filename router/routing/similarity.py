"""Tickets that read alike: TF-IDF over character n-grams within words, cosine similarity.

Character n-grams (3-5, within word boundaries) match Dutch compounds and typos
("paspoortaanvraag" / "paspoort aanvragen") where whole words do not. The vocabulary is
fitted on the ticket and its candidates only (open tickets of the last day: a few hundred at
most, milliseconds).

SIMILAR_AT = 0.35, read off the sample reports (title + description) against
"Key2Burgerzaken loopt vast bij opslaan": the same fault in other words ("key2burgerzaken
blijft hangen bij het opslaan van een aanvraag") 0.50, "k2b loopt vast bij het opslaan van een
paspoortaanvraag" 0.37, the same application about something else ("geen uittreksel printen
uit Key2Burgerzaken") 0.47, a printer or a password 0.0, but another application with the
same complaint ("Youforce loopt vast bij opslaan") 0.37 as well. Text alone cannot keep
applications apart, so the candidates are tickets of the same application or of none
(router/store/major_incidents.py); what is proposed, staff decide.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

SIMILAR_AT = 0.35


def similar(text: str, candidates: list[str], *, threshold: float = SIMILAR_AT,
            limit: int = 5) -> list[tuple[int, float]]:  # fmt: skip
    """(index into `candidates`, cosine) of those that read like `text`, most alike first."""
    if not candidates or not text.strip():
        return []
    vectoriser = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True
    )
    try:
        matrix = vectoriser.fit_transform([text, *candidates])
    except ValueError:  # nothing but punctuation or too-short words: no vocabulary
        return []
    scores = linear_kernel(matrix[0:1], matrix[1:]).ravel()  # rows are L2-normalised: cosine
    ranked = sorted(
        ((i, float(s)) for i, s in enumerate(scores) if s >= threshold),
        key=lambda pair: -pair[1],
    )
    return ranked[:limit]
