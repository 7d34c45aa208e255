"""The fitted text model's arithmetic, redone for one ticket at a time without sklearn's overhead.

The pipeline is TF-IDF blocks and a municipality one-hot feeding one linear model whose
margins are temperature-scaled into probabilities. Through sklearn, scoring one short text
costs one to two milliseconds, nearly all of it input validation and sparse-matrix
bookkeeping; the arithmetic itself is a few dozen dictionary lookups and one small
matrix-vector product. `LinearScorer` does only that arithmetic, from the fitted objects'
own analyzers, vocabularies, idf weights and coefficients, so it cannot drift from them:
tests check it gives the pipeline's probabilities.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import OneHotEncoder


class UnsupportedPipeline(TypeError):
    """The pipeline holds a step the fast path does not know; use the pipeline itself."""


@dataclass(frozen=True)
class TextBlock:
    """One fitted TfidfVectorizer: its features start at `offset` in the model's input."""

    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray | None
    sublinear: bool
    binary: bool
    l2: bool
    offset: int
    # Character n-grams never cross a word ("char_wb"): a text's n-grams are its words'
    # n-grams, and tickets share most of their words, so each word is analysed once.
    word_columns: Callable[[str], tuple[int, ...]] | None = None

    @classmethod
    def of(cls, vectorizer: TfidfVectorizer, offset: int) -> TextBlock:
        if vectorizer.norm not in ("l2", None):
            raise UnsupportedPipeline(f"norm {vectorizer.norm!r}")
        analyze = vectorizer.build_analyzer()
        vocabulary = vectorizer.vocabulary_

        def word_columns(word: str) -> tuple[int, ...]:
            return tuple(c + offset for c in map(vocabulary.get, analyze(word)) if c is not None)

        per_word = vectorizer.analyzer == "char_wb" and vectorizer.preprocessor is None
        return cls(
            analyze=analyze,
            vocabulary=vocabulary,
            idf=vectorizer.idf_ if vectorizer.use_idf else None,
            sublinear=vectorizer.sublinear_tf,
            binary=vectorizer.binary,
            l2=vectorizer.norm == "l2",
            offset=offset,
            word_columns=functools.lru_cache(maxsize=50_000)(word_columns) if per_word else None,
        )

    def columns(self, text: str) -> list[int]:
        """The input column of every n-gram of the text that the vocabulary has, repeats
        included (the block's offset added)."""
        if self.word_columns is None:
            found = [c for c in map(self.vocabulary.get, self.analyze(text)) if c is not None]
            return [c + self.offset for c in found] if self.offset else found
        found = []
        for word in text.split():
            found.extend(self.word_columns(word))
        return found


def _counted(found: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct columns, sorted, and how often each occurs: counting by sorting is a
    third faster than a Counter on a ticket's n-grams."""
    ordered = np.array(found, dtype=np.intp)
    ordered.sort()
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = first.nonzero()[0]
    counts = np.empty(len(starts), dtype=np.float64)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1:] = len(ordered) - starts[-1:]
    return ordered[starts], counts


class TextBlocks:
    """A model's text blocks side by side, weighed in one pass where they are alike: one
    count for all their n-grams, then each block normalised on its own, as the fitted
    ColumnTransformer stacks them. Routing one ticket is mostly this arithmetic on small
    arrays, so every NumPy call saved shows."""

    def __init__(self, blocks: list[TextBlock]) -> None:
        self.blocks = sorted(blocks, key=lambda block: block.offset)
        kinds = {(b.sublinear, b.binary, b.l2, b.idf is None) for b in self.blocks}
        adjacent = all(
            a.offset + len(a.vocabulary) == b.offset for a, b in itertools.pairwise(self.blocks)
        )
        self.one_pass = len(kinds) == 1 and adjacent
        # Blocks that differ are weighed one by one, each as a group of its own.
        self.apart = [] if self.one_pass else [TextBlocks([block]) for block in self.blocks]
        self.starts = [block.offset for block in self.blocks[1:]]
        idfs = [block.idf for block in self.blocks if block.idf is not None]
        self.idf = np.concatenate(idfs) if len(idfs) == len(self.blocks) else None

    def weights(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature columns, TF-IDF values) of the text in every block."""
        if not self.one_pass:
            parts = [group.weights(text) for group in self.apart]
            return np.concatenate([c for c, _ in parts]), np.concatenate([v for _, v in parts])
        first = self.blocks[0]
        found: list[int] = []
        for block in self.blocks:
            found.extend(block.columns(text))
        columns, values = _counted(found)
        if first.binary:
            values[:] = 1.0
        elif first.sublinear:
            np.log(values, out=values)
            values += 1.0
        if self.idf is not None:
            values *= self.idf[columns - first.offset]
        if first.l2 and len(values):
            edges = [0, *np.searchsorted(columns, self.starts).tolist(), len(values)]
            for start, stop in itertools.pairwise(edges):
                part = values[start:stop]
                if len(part):
                    part /= np.sqrt(part @ part)
        return columns, values


class LinearScorer:
    """Probabilities and per-feature contributions for one ticket, from the fitted parts."""

    def __init__(
        self, features: ColumnTransformer, coef: np.ndarray, intercept: np.ndarray, beta: float
    ) -> None:
        self.text_blocks: dict[str, TextBlock] = {}
        self.municipality_columns: dict[str, int] = {}
        for name, transformer, _columns in features.transformers_:
            where = features.output_indices_[name]
            if where.start == where.stop:  # a transformer that produced nothing ('drop')
                continue
            if isinstance(transformer, TfidfVectorizer):
                self.text_blocks[name] = TextBlock.of(transformer, where.start)
            elif isinstance(transformer, OneHotEncoder) and len(transformer.categories_) == 1:
                self.municipality_columns = {
                    str(m): where.start + i for i, m in enumerate(transformer.categories_[0])
                }
            else:
                raise UnsupportedPipeline(f"{name}: {type(transformer).__name__}")
        if not self.text_blocks:
            raise UnsupportedPipeline("no text features")
        self.text = TextBlocks(list(self.text_blocks.values()))
        self.coef = coef  # not copied: with many classes it is the largest part of a model
        self.intercept = intercept
        self.beta = beta

    def features(self, text: str, municipality: str | None) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of the model's input for one ticket."""
        columns, values = self.text.weights(text)
        column = self.municipality_columns.get((municipality or "").strip())
        if column is None:
            return columns, values
        return np.append(columns, column), np.append(values, 1.0)

    def probabilities(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        margins = self.intercept + self.coef[:, columns] @ values
        if len(margins) == 1:  # two classes: one margin, for the second class
            margins = np.array([-margins[0], margins[0]])
        logits = self.beta * margins
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()
