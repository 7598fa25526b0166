"""Each rule's own positive and negative cases (from the YAML), collected as tests."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.knowledge import load_knowledge
from assistant.rules.loader import load_rules

_settings = Settings()
_rules = load_rules(_settings.rules_dir, load_knowledge(_settings.knowledge_dir)).rules
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
