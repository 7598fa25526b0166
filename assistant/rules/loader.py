"""Load and cross-check the rule base; any defect stops start-up with the file, rule and line."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.errors import RulesError, YamlError
from assistant.knowledge import KnowledgeBase
from assistant.rules.schema import Bilingual, NotCovered, Purpose, Reminder, Rule, RuleFile, Topic
from assistant.text import words
from assistant.yamlio import load_yaml


@dataclass(frozen=True)
class RuleBase:
    """Everything the matcher needs, validated against the knowledge base."""

    rules: tuple[Rule, ...]
    reminders: tuple[Reminder, ...]
    topics: tuple[Topic, ...]
    not_covered: tuple[NotCovered, ...]
    audiences: dict[str, Bilingual]
    frame_words: Bilingual
    fingerprint: str = ""
    abbreviations: dict[str, str] = field(default_factory=dict)
    settled_cues: Bilingual = field(default_factory=Bilingual)
    purposes: tuple[Purpose, ...] = ()
    offerings: Bilingual = field(default_factory=Bilingual)
    detail_words: Bilingual = field(default_factory=Bilingual)
    particles: Bilingual = field(default_factory=Bilingual)
    audience_open: Bilingual = field(default_factory=Bilingual)
    idioms: Bilingual = field(default_factory=Bilingual)
    exam_code_prefixes: tuple[str, ...] = ()
    claimed_cues: Bilingual = field(default_factory=Bilingual)

    def expand(self, text: str) -> str:
        """The text's folded words with short forms written out ("insta kampagne" → "instagram kampagne") and without
        fixed expressions made of activity words (rule data `idioms:` — "of course" names no course)."""
        expanded = " ".join(self.abbreviations.get(w, w) for w in words(text))
        if self._exam_code is not None:  # "mb 910" → "mb 910 exam": the code names a Microsoft exam
            expanded = self._exam_code.sub(r"\g<0> exam", expanded)
        return expanded if self._idioms is None else " ".join(self._idioms.sub(" ", expanded).split())

    @cached_property
    def _exam_code(self) -> re.Pattern[str] | None:
        """A Microsoft exam's code in folded words: a prefix of rule data `exam_code_prefixes` and three digits (not
        "365": "MS 365" is Microsoft 365)."""
        if not self.exam_code_prefixes:
            return None
        return re.compile(r"(?<!\S)(?:" + "|".join(map(re.escape, self.exam_code_prefixes)) + r") (?!365\b)[1-9]\d\d(?!\S)")

    @cached_property
    def _idioms(self) -> re.Pattern[str] | None:
        phrases = sorted({" ".join(words(t)) for t in self.idioms.all()} - {""}, key=len, reverse=True)
        return re.compile(r"(?<!\S)(?:" + "|".join(map(re.escape, phrases)) + r")(?!\S)") if phrases else None

    @cached_property
    def frame_set(self) -> frozenset[str]:
        """The question-frame words, folded ("Können wir … mit Co-op bezahlen")."""
        return _folded(self.frame_words.all())

    @cached_property
    def detail_set(self) -> frozenset[str]:
        """Every folded word of the detail words (rule data `detail_words:` — amounts, time, quantities, suppliers)."""
        return _folded(self.detail_words.all())

    @cached_property
    def particle_set(self) -> frozenset[str]:
        """The folded modal particles (rule data `particles:` — „doch", „halt", "just"): they say how, not what."""
        return _folded(self.particles.all())

    @cached_property
    def audience_words(self) -> frozenset[str]:
        """Every folded word of the audience terms ("für unsere Kunden", "sales team")."""
        return _folded(t for b in self.audiences.values() for t in b.all())

    @cached_property
    def audience_one_words(self) -> frozenset[str]:
        """The audience terms of one word, folded ("kunden", "mitarbeiter"; not "für unsere Kunden")."""
        return frozenset(w[0] for w in (words(t) for b in self.audiences.values() for t in b.all()) if len(w) == 1)

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every folded word of the rule data's wording: rule terms, titles, examples and positive cases, topics, blockers,
        purposes, audiences, offerings and detail words — the words an activity is described in (what may follow an
        audience at the start of a German compound: "Kunden|seminare", not "intern|ational")."""
        texts: list[str] = []
        for r in self.rules:
            texts += [*r.terms.all(), *r.ambiguous_terms.all(), *r.examples.all(), r.title.de, r.title.en,
                      *r.cases.positive]
        for group in (self.topics, self.not_covered, self.purposes):
            texts += [t for item in group for t in item.terms.all()]
        texts += [t for item in self.not_covered for t in item.cost_words.all()]
        texts += [t for b in self.audiences.values() for t in b.all()]
        texts += [*self.offerings.all(), *self.detail_words.all()]
        return _folded(texts)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def _item_line(path: Path, key: str, index: int) -> int | None:
    """1-based line of item `index` of the top-level list `key`, for error messages."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    for key_node, value in root.value:
        if key_node.value == key and isinstance(value, yaml.SequenceNode) and index < len(value.value):
            return int(value.value[index].start_mark.line) + 1
    return None


def _describe(path: Path, raw: Any, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = err["loc"]
        where = ".".join(str(p) for p in loc)
        if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(raw, dict):
            items = raw.get(str(loc[0])) or []
            item = items[loc[1]] if loc[1] < len(items) else {}
            name = item.get("id", f"#{loc[1] + 1}") if isinstance(item, dict) else f"#{loc[1] + 1}"
            line = _item_line(path, str(loc[0]), loc[1])
            field = ".".join(str(p) for p in loc[2:]) or "(item)"
            kind = str(loc[0])[:-1] if str(loc[0]).endswith("s") else str(loc[0])
            where = f"{kind} {name!r}" + (
                f" (line {line})" if line else ""
            ) + f", field {field}"
        lines.append(f"  {where}: {err['msg']}")
    return f"{path}: invalid rule data:\n" + "\n".join(lines)


def _read(path: Path) -> RuleFile:
    try:
        raw = load_yaml(path)
    except YamlError as exc:
        raise RulesError(str(exc)) from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise RulesError(f"{path}: expected a mapping with keys such as 'rules:', found {type(raw).__name__}.")
    try:
        return RuleFile.model_validate(raw)
    except ValidationError as exc:
        raise RulesError(_describe(path, raw, exc)) from exc


def _folded(texts: Iterable[str]) -> frozenset[str]:
    """Every folded word of `texts`."""
    return frozenset(w for text in texts for w in words(text))


def load_rules(directory: Path, knowledge: KnowledgeBase) -> RuleBase:
    """Read every *.yaml file of `directory` and prove each quote against the guidance."""
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise RulesError(f"{directory}: no rule files (*.yaml) found.")
    rules: list[Rule] = []
    reminders: list[Reminder] = []
    topics: list[Topic] = []
    not_covered: list[NotCovered] = []
    audiences: dict[str, Bilingual] = {}
    frame: Bilingual | None = None
    abbreviations: dict[str, str] = {}
    settled: Bilingual | None = None
    claimed: Bilingual | None = None
    purposes: list[Purpose] = []
    offerings: Bilingual | None = None
    details: Bilingual | None = None
    particles: Bilingual | None = None
    audience_open: Bilingual | None = None
    idioms: Bilingual | None = None
    exam_codes: list[str] = []
    origin: dict[str, Path] = {}
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
        data = _read(path)
        items: list[Rule | Reminder | Topic | NotCovered | Purpose] = [
            *data.rules, *data.reminders, *data.topics, *data.not_covered, *data.purposes]
        for item in items:
            if item.id in origin:
                raise RulesError(f"{path}: id {item.id!r} is defined twice (also in {origin[item.id]}).")
            origin[item.id] = path
        rules += data.rules
        reminders += data.reminders
        topics += data.topics
        not_covered += data.not_covered
        audiences.update({str(k): v for k, v in data.audiences.items()})
        frame = data.frame_words or frame
        abbreviations.update({" ".join(words(k)): " ".join(words(v)) for k, v in data.abbreviations.items()})
        settled = data.settled_cues or settled
        claimed = data.claimed_cues or claimed
        purposes += data.purposes
        offerings = data.offerings or offerings
        details = data.detail_words or details
        particles = data.particles or particles
        audience_open = data.audience_open or audience_open
        idioms = data.idioms or idioms
        exam_codes = data.exam_code_prefixes or exam_codes
    section_ids = {s.id for s in knowledge.sections()}
    quoted_items: list[Rule | Reminder] = [*rules, *reminders]
    for quoted in quoted_items:
        path = origin[quoted.id]
        if quoted.section not in section_ids:
            raise RulesError(f"{path}: {quoted.id!r} names section {quoted.section!r}, not one of {sorted(section_ids)}.")
        if quoted.source_quote not in knowledge.section(quoted.section).text:
            raise RulesError(
                f"{path}: {quoted.id!r}: source_quote {quoted.source_quote!r} does not occur verbatim in section "
                f"{quoted.section!r} of the guidance. Copy it exactly from knowledge/."
            )
    rule_ids = {r.id for r in rules}
    for rem in reminders:
        if isinstance(rem.applies_to, list) and not set(rem.applies_to) <= rule_ids:
            unknown = sorted(set(rem.applies_to) - rule_ids)
            raise RulesError(f"{origin[rem.id]}: reminder {rem.id!r} applies to unknown rules {unknown}.")
    for rule in rules:
        if not set(rule.parts + rule.touchpoints) <= rule_ids:
            unknown = sorted(set(rule.parts + rule.touchpoints) - rule_ids)
            raise RulesError(f"{origin[rule.id]}: rule {rule.id!r} names unknown parts or touchpoints {unknown}.")
    for topic in topics:
        if not set(topic.sections) <= section_ids:
            raise RulesError(f"{origin[topic.id]}: topic {topic.id!r} names unknown sections {topic.sections}.")
    if not rules:
        raise RulesError(f"{directory}: the rule files define no rules.")
    waived = [p.id for p in purposes if p.waived_by_offering]
    if waived and not (offerings and offerings.all()):
        raise RulesError(f"{directory}: purposes {waived} are waived by a Microsoft offering, but no file lists "
                         "'offerings:'.")
    return RuleBase(
        tuple(rules), tuple(reminders), tuple(topics), tuple(not_covered), audiences, frame or Bilingual(),
        digest.hexdigest()[:16], abbreviations, settled or Bilingual(), tuple(purposes), offerings or Bilingual(),
        details or Bilingual(), particles or Bilingual(), audience_open or Bilingual(), idioms or Bilingual(),
        tuple(exam_codes), claimed or Bilingual(),
    )
