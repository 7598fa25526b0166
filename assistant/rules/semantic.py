"""Semantic fallback: compares an activity with the rules' example phrasings (and titles)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.embeddings import Embedder, encode_fixed
from assistant.rules.schema import Rule


@dataclass
class ExampleIndex:
    """Embeddings of every rule's examples; `best` applies the calibrated threshold and margin.

    Policy: the fallback decides only when the best rule's similarity reaches `threshold`
    and beats the best *other* rule by `margin`; otherwise the activity stays unclear.
    """

    embedder: Embedder
    rules: list[Rule]
    threshold: float
    margin: float
    cache_dir: Path | None = None  # where the examples' vectors are kept between starts
    _owners: list[Rule] = field(init=False)
    _matrix: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        texts: list[str] = []
        self._owners = []
        for rule in self.rules:
            for text in [rule.title.de, rule.title.en, *rule.examples.all()]:
                texts.append(text)
                self._owners.append(rule)
        self._matrix = encode_fixed(self.embedder, texts, self.cache_dir) if self.cache_dir else self.embedder.encode(texts)

    def scores(self, text: str) -> list[tuple[Rule, float]]:
        """Best similarity per rule, highest first."""
        sims = self._matrix @ self.embedder.encode([text])[0]
        best: dict[str, tuple[Rule, float]] = {}
        for rule, sim in zip(self._owners, sims.tolist(), strict=True):
            if rule.id not in best or sim > best[rule.id][1]:
                best[rule.id] = (rule, float(sim))
        return sorted(best.values(), key=lambda pair: -pair[1])

    def best(self, text: str) -> tuple[Rule, float, float] | None:
        ranked = self.scores(text)
        if not ranked:
            return None
        (rule, top), second = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
        if top >= self.threshold and top - second >= self.margin:
            return rule, top, top - second
        return None
