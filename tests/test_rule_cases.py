"""Each rule's own positive and negative cases (from the YAML), collected as tests."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.knowledge import load_knowledge
from assistant.rules.loader import load_rules

_settings = Settings()
KB = load_knowledge(_settings.knowledge_dir)
RULES = load_rules(_settings.rules_dir, KB)
_rules = RULES.rules
POSITIVE = [(r.id, q) for r in _rules for q in r.cases.positive]
NEGATIVE = [(r.id, q) for r in _rules for q in r.cases.negative]


def test_every_rule_has_positive_and_negative_cases() -> None:
    missing = [r.id for r in _rules if not r.cases.positive or not r.cases.negative]
    assert missing == []
    assert len(_rules) == 28  # 9 + 9 + 6 activities, 1 allowance, 3 exclusions


@pytest.mark.parametrize(("rule_id", "question"), POSITIVE, ids=[f"{r}+{i}" for i, (r, _) in enumerate(POSITIVE)])
def test_positive_case_is_decided_by_its_rule(lexical_checker, rule_id: str, question: str) -> None:  # type: ignore[no-untyped-def]
    found = [f.rule_id for f in lexical_checker.check(question).findings]
    assert rule_id in found, f"{question!r} gave {found}"


@pytest.mark.parametrize(("rule_id", "question"), NEGATIVE, ids=[f"{r}-{i}" for i, (r, _) in enumerate(NEGATIVE)])
def test_negative_case_is_not_decided_by_its_rule(lexical_checker, rule_id: str, question: str) -> None:  # type: ignore[no-untyped-def]
    found = [f.rule_id for f in lexical_checker.check(question).findings]
    assert rule_id not in found, f"{question!r} gave {found}"


@pytest.mark.parametrize("rule_id", [r.id for r in _rules])
def test_the_english_quote_is_the_renderings_line_for_the_german_one(lexical_checker, rule_id: str) -> None:  # type: ignore[no-untyped-def]
    """Session 13, from a new user's trial: the English quote was the rule's short title where the rendering's line
    says more ("… or mobile SMS campaigns"). The rendering translates each section line by line."""
    rule = RULES.rule(rule_id)
    finding = next(f for f in lexical_checker.check(rule.cases.positive[0], language="en").findings if f.rule_id == rule_id)
    rendering = KB.rendering(rule.section, "en")
    assert rendering is not None
    lines = [line.lstrip("- ").strip() for line in rendering.text.splitlines()]
    german = [n for n, line in enumerate(KB.section(rule.section).text.splitlines()) if rule.source_quote in line]
    assert finding.source_quote_en == lines[german[0]]
