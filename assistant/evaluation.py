"""Scoring of the labelled eval set (evals/data/*.jsonl) against the assistant's answers.

Two line shapes (JSON Lines, one object per line):
- a case: `{"id", "question", "language", "kind", "expected": {"findings", "handoff", "sections"}}`;
- a dialogue: `{"id", "language", "turns": [{"question", "expected"}, ...]}` — every turn becomes a case
  with the earlier turns' questions as its `history` (oldest first), id `<dialogue id>/t<n>`, kind
  `dialogue-turn`; it is judged in that context, as `check --jsonl` with `history` judges it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.models import Answer

VERDICTS = ("eligible", "not_eligible", "unclear", "needs_info")


@dataclass
class Case:
    id: str
    question: str
    language: str
    kind: str
    split: str
    findings: list[dict[str, Any]]
    handoff: bool
    sections: list[str]
    history: list[str] = field(default_factory=list)


def _case(row: dict[str, Any], split: str, history: list[str] | None = None) -> Case:
    exp = row["expected"]
    return Case(row["id"], row["question"], row["language"], row.get("kind", "?"), split, exp["findings"],
                bool(exp["handoff"]), list(exp.get("sections", [])), list(history or []))


def load_cases(directory: Path) -> list[Case]:
    """Every *.jsonl file of `directory`; the file stem is the split name (dev, heldout)."""
    cases = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if "turns" not in row:
                cases.append(_case(row, path.stem))
                continue
            asked: list[str] = []
            for n, turn in enumerate(row["turns"], 1):
                turn_row = {"id": f"{row['id']}/t{n}", "language": row["language"], "kind": "dialogue-turn", **turn}
                cases.append(_case(turn_row, path.stem, asked))
                asked.append(turn["question"])
    return cases


Row = dict[str, Any]


def align(expected: list[Row], predicted: list[Row]) -> tuple[list[tuple[Row, Row | None]], list[Row]]:
    """Pair expected with predicted findings: same rule id first, then rule-less ones in order.

    Returns the pairs (predicted None when missing) and the predicted findings left over.
    """
    left = list(predicted)
    pairs: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    pending = []
    for e in expected:
        match = next((p for p in left if e.get("rule_id") and p.get("rule_id") == e["rule_id"]), None)
        if match is not None:
            left.remove(match)
            pairs.append((e, match))
        else:
            pending.append(e)
    for e in pending:
        match = next((p for p in left if p.get("rule_id") is None and p["verdict"] == e["verdict"]), None)
        match = match or next((p for p in left if p.get("rule_id") is None), None)
        match = match or (left[0] if left else None)
        if match is not None:
            left.remove(match)
        pairs.append((e, match))
    return pairs, left


@dataclass
class Tally:
    findings: int = 0
    verdict_ok: int = 0
    category_ok: int = 0
    citation_ok: int = 0
    cases: int = 0
    exact: int = 0
    false_eligible: int = 0
    spurious: int = 0
    spurious_eligible: int = 0
    handoff_tp: int = 0
    handoff_fp: int = 0
    handoff_fn: int = 0
    hit_cases: int = 0
    hits: int = 0
    context_turns: int = 0
    context_exact: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    def metrics(self) -> dict[str, Any]:
        def ratio(a: int, b: int) -> float:
            return round(a / b, 4) if b else 1.0

        per_verdict = {}
        for v in VERDICTS:
            tp = self.confusion[(v, v)]
            predicted = sum(n for (_, p), n in self.confusion.items() if p == v)
            actual = sum(n for (e, _), n in self.confusion.items() if e == v)
            per_verdict[v] = {"precision": ratio(tp, predicted), "recall": ratio(tp, actual), "support": actual}
        return {
            "cases": self.cases,
            "findings": self.findings,
            "verdict_accuracy": ratio(self.verdict_ok, self.findings),
            "category_accuracy": ratio(self.category_ok, self.findings),
            "citation_accuracy": ratio(self.citation_ok, self.findings),
            "case_exact_accuracy": ratio(self.exact, self.cases),
            "false_eligible": self.false_eligible,
            "spurious_findings": self.spurious,
            "spurious_eligible": self.spurious_eligible,
            "handoff_precision": ratio(self.handoff_tp, self.handoff_tp + self.handoff_fp),
            "handoff_recall": ratio(self.handoff_tp, self.handoff_tp + self.handoff_fn),
            "retrieval_hit_at_3": ratio(self.hits, self.hit_cases),
            "per_verdict": per_verdict,
            # dialogue turns read in their history (a follow-up, an answer to a clarifying question)
            "context_turn_accuracy": ratio(self.context_exact, self.context_turns) if self.context_turns else None,
        }


@dataclass
class CaseResult:
    case: Case
    answer: dict[str, Any]
    problems: list[str]


def score(cases: Iterable[Case], answer_fn: Callable[[Case], Answer], quotes: dict[str, str],
          rule_ids: list[str]) -> dict[str, Any]:
    """Run every case and compute the metrics per split, per split × language, and rule coverage."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    results: list[CaseResult] = []
    rule_hits: dict[str, set[str]] = defaultdict(set)
    for case in cases:
        answer = answer_fn(case).to_contract()
        problems = _score_case(case, answer, quotes, [tallies[case.split], tallies[f"{case.split}/{case.language}"],
                                                        tallies["all"]], rule_hits)
        results.append(CaseResult(case, answer, problems))
    coverage = {split: round(len({r for r in rule_ids if split in rule_hits[r]}) / len(rule_ids), 4)
                for split in sorted({c.case.split for c in results})}
    return {
        "metrics": {name: t.metrics() for name, t in sorted(tallies.items())},
        "rule_coverage": coverage,
        "uncovered_rules": {s: sorted(r for r in rule_ids if s not in rule_hits[r]) for s in coverage},
        "failures": [
            {"id": r.case.id, "split": r.case.split, "question": r.case.question, "problems": r.problems}
            for r in results if r.problems
        ],
    }


def _score_case(case: Case, answer: dict[str, Any], quotes: dict[str, str], tallies: list[Tally],
                rule_hits: dict[str, set[str]]) -> list[str]:
    problems: list[str] = []
    predicted = answer.get("findings", [])
    pairs, extra = align(case.findings, predicted)
    exact = not extra
    for t in tallies:
        t.cases += 1
    for e, p in pairs:
        got = p["verdict"] if p else "missing"
        verdict_ok = p is not None and p["verdict"] == e["verdict"]
        category_ok = p is not None and p.get("category") == e.get("category")
        want_quote = quotes.get(e["rule_id"]) if e.get("rule_id") else None
        citation_ok = p is not None and p.get("source_quote") == want_quote
        false_eligible = got == "eligible" and e["verdict"] != "eligible"
        if verdict_ok and category_ok and citation_ok and e.get("rule_id"):
            rule_hits[e["rule_id"]].add(case.split)
        for t in tallies:
            t.findings += 1
            t.verdict_ok += verdict_ok
            t.category_ok += category_ok
            t.citation_ok += citation_ok
            t.false_eligible += false_eligible
            t.confusion[(e["verdict"], got)] += 1
        if not (verdict_ok and category_ok and citation_ok):
            exact = False
            problems.append(
                f"expected {e['verdict']}/{e.get('rule_id')} got {got}/{p.get('rule_id') if p else None}"
                f" for {p.get('activity') if p else '-'!r}"
            )
    for p in extra:
        problems.append(f"extra finding {p['verdict']}/{p.get('rule_id')} for {p.get('activity')!r}")
        for t in tallies:
            t.spurious += 1
            t.spurious_eligible += p["verdict"] == "eligible"
            t.confusion[("none", p["verdict"])] += 1
    got_handoff = answer.get("handoff") is not None
    if got_handoff != case.handoff:
        problems.append(f"handoff expected {case.handoff} got {got_handoff}")
    top3 = [s.get("section_id") for s in answer.get("sources", [])[:3]]
    hit = bool(set(case.sections) & set(top3)) if case.sections else None
    if hit is False:
        problems.append(f"sections {case.sections} not in top 3 {top3}")
    for t in tallies:
        t.exact += exact and got_handoff == case.handoff
        if case.history:
            t.context_turns += 1
            t.context_exact += exact and got_handoff == case.handoff
        t.handoff_tp += got_handoff and case.handoff
        t.handoff_fp += got_handoff and not case.handoff
        t.handoff_fn += (not got_handoff) and case.handoff
        if hit is not None:
            t.hit_cases += 1
            t.hits += hit
    return problems
