"""Activity recognition learned from labelled examples: which rule, a process question, or not Co-op marketing.

The standard NLU shape (intent classification, then a deterministic policy, as in Rasa's split):
character 2–5-gram and word 1–2-gram TF-IDF features over folded text, a multinomial logistic
regression (scikit-learn), balanced class weights, fixed seed. Trained from the JSONL corpus in
`assistant/nlu/data/` (every line: text, label, lang, origin); the fitted model is cached in the
model cache keyed by the corpus hash and the scikit-learn version, so a changed corpus retrains once.

Labels: the rule ids of the rule base, "process" (how Co-op works, no activity), "none" (not a
Co-op marketing activity). The recogniser never decides a verdict; `assistant.rules.matcher` does.

The same model reads the slot "what it promotes" (`purpose_reader`): labels "on" (the partner's Microsoft
or IT business) and "off" (something else that uses the same words: a birthday ad, a golf club's website,
an accountant's tax seminar), trained on `assistant/nlu/purpose/*.jsonl` plus every rule-labelled line of
the activity corpus as "on".

The none-veto (matcher step 5) reads with a second fit of the same corpus and method, learned without the question
frame's words (`veto_reader`): whether text is Co-op marketing at all lies in what it describes.

Fitted models are cached in their run-time form (`assistant.nlu.linear`, no scikit-learn needed to read) as
`<name>-<corpus hash>.npz` in the model cache (`Settings.model_cache`), next to the
exported encoder: they derive from shipped files only, so every data dir (and every test) shares them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import RulesError
from assistant.nlu.linear import COEF_DTYPE, STORED_FORM, LinearText
from assistant.text import normalize

log = logging.getLogger(__name__)
DATA_DIR = Path(__file__).resolve().parent / "data"
SEED = 13
NONE, PROCESS = "none", "process"
ON, OFF = "on", "off"
PURPOSE_DIR = Path(__file__).resolve().parent / "purpose"


class Example(BaseModel):
    """One labelled training line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=2)
    label: str
    lang: Literal["de", "en"]
    origin: str = Field(min_length=3)


@dataclass(frozen=True)
class Recognition:
    """The recogniser's reading of one text: labels by probability, and the features that decided the top one."""

    ranked: tuple[tuple[str, float], ...]
    evidence: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.ranked[0][0]

    @property
    def probability(self) -> float:
        return self.ranked[0][1]

    def p(self, label: str) -> float:
        return next((prob for name, prob in self.ranked if name == label), 0.0)


def load_corpus(directory: Path, labels: set[str]) -> list[Example]:
    """Every `*.jsonl` line under `directory`; raises RulesError naming the file and line of a bad one."""
    examples: list[Example] = []
    for path in sorted(directory.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                ex = Example.model_validate(json.loads(line))
            except (ValueError, ValidationError) as exc:
                raise RulesError(f"{path.name}:{n}: not a training line ({exc})") from exc
            if ex.label not in labels:
                raise RulesError(f"{path.name}:{n}: unknown label {ex.label!r}")
            examples.append(ex)
    if not examples:
        raise RulesError(f"no training lines under {directory}")
    return examples


def corpus_hash(examples: list[Example]) -> str:
    from importlib.metadata import version

    digest = hashlib.sha256(version("scikit-learn").encode())
    digest.update(STORED_FORM.encode())  # a model stored in another form is trained again
    for ex in examples:
        digest.update(f"{ex.label}\t{ex.text}\n".encode())
    return digest.hexdigest()[:16]


def _prepare(text: str) -> str:
    return normalize(text)


class Recognizer:
    """A fitted model in its run-time form (`assistant.nlu.linear`); `read(text)` is pure and deterministic."""

    def __init__(self, model: LinearText, fingerprint: str) -> None:
        self.model = model
        self.fingerprint = fingerprint
        self.classes: list[str] = model.classes
        # the checker asks about the same piece more than once (before and after the semantic pass)
        self._cached = functools.lru_cache(maxsize=4096)(self._read)

    @classmethod
    def train(cls, examples: list[Example]) -> Recognizer:
        return cls(LinearText.from_pipeline(fit_pipeline(examples)), corpus_hash(examples))

    @classmethod
    def load_or_train(cls, corpus_dir: Path, cache_dir: Path, labels: set[str]) -> Recognizer:
        """The cached model for this corpus, or a freshly trained one (then cached; a lock keeps processes apart)."""
        return cls.cached(load_corpus(corpus_dir, labels), cache_dir)

    @classmethod
    def cached(cls, examples: list[Example], cache_dir: Path, name: str = "recognizer") -> Recognizer:
        """The model for exactly these examples from `cache_dir` (`<name>-<hash>.npz`), trained and stored there
        when missing; older models of that name are removed."""
        from filelock import FileLock

        fingerprint = corpus_hash(examples)
        cache_dir.mkdir(parents=True, exist_ok=True)
        path = cache_dir / f"{name}-{fingerprint}.npz"
        with FileLock(str(cache_dir / f"{name}.lock")):
            if path.exists():
                try:
                    return cls(LinearText.load(path), fingerprint)
                except Exception:  # noqa: BLE001 - a corrupt cache is rebuilt
                    log.warning("recogniser cache %s unreadable; retraining", path.name)
            model = cls.train(examples)
            model.model.save(path)
            for old in [*cache_dir.glob(f"{name}-*.npz"), *cache_dir.glob(f"{name}-*.joblib")]:
                if old != path:
                    old.unlink(missing_ok=True)
            return model

    def read(self, text: str, top: int = 3) -> Recognition:
        """Labels of `text` by probability (best `top`), with the strongest features for the best label."""
        result: Recognition = self._cached(text, top)
        return result

    def _read(self, text: str, top: int) -> Recognition:
        features = self.model.features(_prepare(text))  # once: for the probabilities and the evidence
        probs = self.model.proba(features)
        order = probs.argsort()[::-1][:top]
        ranked = tuple((self.classes[i], round(float(probs[i]), 4)) for i in order)
        return Recognition(ranked, self._evidence(features, int(order[0])))

    def _evidence(self, features: dict[int, float], cls_index: int, k: int = 4) -> tuple[str, ...]:
        cols = np.fromiter(features.keys(), dtype=np.int64, count=len(features))
        # each feature's value times its weight, in the weights' precision (as a Python float times one of them)
        scores = np.fromiter(features.values(), dtype=np.float64, count=len(features)).astype(COEF_DTYPE) \
            * self.model.weights(cls_index)[cols]
        best = np.argsort(-scores, kind="stable")[:k]  # stable: equal scores keep the features' order
        return tuple(self.model.names[cols[i]] for i in best if scores[i] > 0)


def fit_pipeline(examples: list[Example]) -> Any:
    """The scikit-learn pipeline fitted on `examples` (training only; reading uses its `LinearText` form)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\w+")),
    ])
    pipeline = Pipeline([
        ("features", features),
        ("model", LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced", random_state=SEED)),
    ])
    pipeline.fit([_prepare(e.text) for e in examples], [e.label for e in examples])
    return pipeline


def purpose_reader(rule_ids: set[str], cache_dir: Path, frame: frozenset[str] = frozenset()) -> Recognizer:
    """The "on"/"off" reader of what a message is about (see the module docstring); cached like the recogniser.
    It learns and reads without the question frame's words (`frame`, folded): "kann ich die bei Co-op einreichen"
    says nothing about what is promoted; `assistant.rules.matcher` reads it the same way."""
    own = load_corpus(PURPOSE_DIR, {ON, OFF})
    activities = [Example(text=e.text, label=ON, lang=e.lang, origin=f"activity corpus ({e.label}): {e.origin}")
                  for e in load_corpus(DATA_DIR, rule_ids | {NONE, PROCESS}) if e.label in rule_ids]
    examples = [e.model_copy(update={"text": without_frame(e.text, frame)}) for e in own + activities]
    return Recognizer.cached([e for e in examples if e.text], cache_dir, "purpose")


def veto_reader(labels: set[str], cache_dir: Path, frame: frozenset[str]) -> Recognizer:
    """The activity recogniser learned without the question frame's words, for the none-veto alone (matcher step 5):
    whether an activity is Co-op marketing at all is in what is described, not in "Can co-op pay for …?" — which
    both partners' real questions and everyday texts use (the corpus has full questions on both sides). Same
    corpus, labels and method as the recogniser; cached like it."""
    examples = [e.model_copy(update={"text": without_frame(e.text, frame)}) for e in load_corpus(DATA_DIR, labels)]
    return Recognizer.cached([e for e in examples if e.text], cache_dir, "veto")


def without_frame(text: str, frame: frozenset[str]) -> str:
    """The folded words of `text` that are not question-frame words."""
    return " ".join(w for w in normalize(text).split() if w not in frame)
