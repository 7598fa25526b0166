"""The run-time form of a fitted TF-IDF + logistic-regression pipeline, without scikit-learn.

scikit-learn fits the model (at install, ingest or first use); importing it costs ~2.4 s and ~120 MB on this
machine, so a start-up that only reads uses this: the vocabularies, idf weights, coefficients and intercepts
taken from the fitted pipeline and stored as one `.npz` file (no pickle). The features follow scikit-learn's
`TfidfVectorizer` exactly for the settings the recogniser uses (analyzer "char_wb" or "word" with token pattern
`\\w+`, lowercase, `sublinear_tf`, l2 norm, over text `assistant.text.normalize` already reduced to
space-separated words), concatenated as `FeatureUnion` does; probabilities follow `LogisticRegression`
(softmax over the classes; the logistic function for two). `tests/test_nlu.py` proves equal probabilities (within
1e-6: the weights are stored in single precision).
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

_WORD = re.compile(r"\w+")
# the weights are kept in single precision: half the memory of the three readers' weight matrices (30 classes × ~70,000
# n-grams each, ~16 MB saved at start-up, issue #9); probabilities stay within 1e-6 of scikit-learn's (the features,
# idf and the sums are double precision)
COEF_DTYPE = np.float32
STORED_FORM = f"weights {np.dtype(COEF_DTYPE).name}"  # part of a stored model's cache key (recognizer.corpus_hash)


@dataclass(frozen=True)
class _Vectorizer:
    analyzer: str  # "char_wb" | "word"
    low: int
    high: int
    vocabulary: dict[str, int]  # feature → column in the concatenated feature space
    idf: np.ndarray  # by column, for this vectorizer's columns

    @cached_property
    def start(self) -> int:
        """This vectorizer's first column in the concatenated feature space."""
        return min(self.vocabulary.values()) if self.vocabulary else 0

    def grams(self, text: str) -> list[str]:
        if self.analyzer == "word":
            tokens = _WORD.findall(text.lower())
            return [" ".join(tokens[i:i + n]) for n in range(self.low, self.high + 1)
                    for i in range(len(tokens) - n + 1)]
        out: list[str] = []
        for word in text.lower().split():
            padded = f" {word} "
            for n in range(self.low, self.high + 1):
                offset = 0
                out.append(padded[offset:offset + n])
                while offset + n < len(padded):
                    offset += 1
                    out.append(padded[offset:offset + n])
                if offset == 0:  # the word is shorter than n
                    break
        return out

    def features(self, text: str) -> dict[int, float]:
        vocabulary = self.vocabulary
        counts = Counter(g for g in self.grams(text) if g in vocabulary)
        # `item` gives the Python float at once (no array scalar made first); a list of them would cost ~10 MB
        start, idf = self.start, self.idf.item
        values = {vocabulary[g]: (1.0 + math.log(c)) * idf(vocabulary[g] - start) for g, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values()))
        return {k: v / norm for k, v in values.items()} if norm else {}


class LinearText:
    """Features and class probabilities of a text; `names[i]` is feature i's n-gram."""

    def __init__(self, vectorizers: list[_Vectorizer], coef: np.ndarray, intercept: np.ndarray,
                 classes: list[str]) -> None:
        self.vectorizers = vectorizers
        self.coef = coef
        self.intercept = intercept
        self.classes = classes

    @cached_property
    def names(self) -> list[str]:
        """Feature i's n-gram at index i (made when an explanation first asks: a list as long as the features)."""
        names = [""] * self.coef.shape[1]
        for v in self.vectorizers:
            for gram, col in v.vocabulary.items():
                names[col] = gram
        return names

    @classmethod
    def from_pipeline(cls, pipeline: Any) -> LinearText:
        """Take the fitted pipeline apart (steps "features": a FeatureUnion of TfidfVectorizers, "model")."""
        vectorizers: list[_Vectorizer] = []
        offset = 0
        for _, vec in pipeline.named_steps["features"].transformer_list:
            low, high = vec.ngram_range
            vocabulary = {str(g): int(i) + offset for g, i in vec.vocabulary_.items()}
            vectorizers.append(_Vectorizer(str(vec.analyzer), int(low), int(high), vocabulary,
                                           np.asarray(vec.idf_, dtype=np.float64)))
            offset += len(vec.vocabulary_)
        model = pipeline.named_steps["model"]
        return cls(vectorizers, np.asarray(model.coef_, dtype=COEF_DTYPE),
                   np.asarray(model.intercept_, dtype=np.float64), [str(c) for c in model.classes_])

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {"coef": self.coef, "intercept": self.intercept,
                                         "classes": np.array(self.classes, dtype=str)}
        for n, v in enumerate(self.vectorizers):
            grams = sorted(v.vocabulary, key=v.vocabulary.__getitem__)
            arrays[f"v{n}_grams"] = np.array(grams, dtype=str)
            arrays[f"v{n}_meta"] = np.array([v.analyzer, str(v.low), str(v.high), str(v.start)], dtype=str)
            arrays[f"v{n}_idf"] = v.idf
        partial = path.with_name(path.name + ".part.npz")
        np.savez(partial, **arrays)  # type: ignore[arg-type]
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> LinearText:
        with np.load(path, allow_pickle=False) as data:
            vectorizers = []
            n = 0
            while f"v{n}_grams" in data:
                analyzer, low, high, start = (str(x) for x in data[f"v{n}_meta"])
                # interned: the three readers share most of their n-grams, held once (issue #9: ~7 MB at start-up)
                grams = [sys.intern(g) for g in data[f"v{n}_grams"].tolist()]
                vocabulary = {g: int(start) + i for i, g in enumerate(grams)}
                vectorizers.append(_Vectorizer(analyzer, int(low), int(high), vocabulary, data[f"v{n}_idf"]))
                n += 1
            return cls(vectorizers, np.asarray(data["coef"], dtype=COEF_DTYPE), data["intercept"],
                       data["classes"].tolist())

    def features(self, text: str) -> dict[int, float]:
        out: dict[int, float] = {}
        for v in self.vectorizers:
            out.update(v.features(text))
        return out

    def predict_proba(self, text: str) -> np.ndarray:
        """Probabilities by class (order of `classes`), as `LogisticRegression.predict_proba` gives them."""
        return self.proba(self.features(text))

    def proba(self, x: dict[int, float]) -> np.ndarray:
        """`predict_proba` of features already computed (`features`: column → value)."""
        cols = np.fromiter(x.keys(), dtype=np.int64, count=len(x))
        vals = np.fromiter(x.values(), dtype=np.float64, count=len(x))
        scores = self.coef[:, cols] @ vals + self.intercept
        if len(self.classes) == 2:  # one row of weights, for the second class
            p = 1.0 / (1.0 + math.exp(-float(scores[0])))
            return np.array([1.0 - p, p])
        scores = scores - scores.max()
        e = np.exp(scores)
        return np.asarray(e / e.sum())

    def weights(self, cls_index: int) -> np.ndarray:
        """The weights that speak for class `cls_index` (with two classes, the one row, negated for the first)."""
        if len(self.coef) > 1:
            return np.asarray(self.coef[cls_index])
        return np.asarray(self.coef[0] if cls_index == 1 else -self.coef[0])
