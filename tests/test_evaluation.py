"""The eval scoring itself: alignment of findings, false-eligible counting, hit@3, handoff."""

from __future__ import annotations

from assistant.evaluation import Case, align, score
from assistant.models import Answer, Finding, Handoff, Source

QUOTES = {"dg.print-ads": "Printanzeigen", "excl.seller-award-trips": "Interne Seller-Award-Reisen sind nicht Co-op-berechtigt."}


def _case(findings: list[dict], handoff: bool, sections: list[str]) -> Case:
    return Case("c1", "q", "de", "single", "dev", findings, handoff, sections)


def _finding(verdict: str, rule_id: str | None, quote: str | None = None, category: str | None = None) -> Finding:
    return Finding(activity="x", verdict=verdict, rule_id=rule_id, source_quote=quote, category=category,  # type: ignore[arg-type]
                   explanation="-", confidence=0.9)


def test_align_pairs_by_rule_then_in_order() -> None:
    exp = [{"verdict": "unclear", "rule_id": None}, {"verdict": "eligible", "rule_id": "dg.print-ads"}]
    pred = [{"verdict": "eligible", "rule_id": "dg.print-ads"}, {"verdict": "unclear", "rule_id": None}]
    pairs, extra = align(exp, pred)
    assert [(e["verdict"], p["verdict"] if p else None) for e, p in pairs] == [("eligible", "eligible"), ("unclear", "unclear")]
    assert extra == []


def test_false_eligible_and_spurious_are_counted() -> None:
    case = _case([{"verdict": "not_eligible", "rule_id": "excl.seller-award-trips", "category": None}], True, ["important-notes"])
    answer = Answer(question="q", findings=[_finding("eligible", None), _finding("eligible", "dg.print-ads", "Printanzeigen",
                                                                                 "demand_generation")],
                    sources=[Source(section="s", text="t", score=1, section_id="overview")])
    report = score([case], lambda c: answer, QUOTES, list(QUOTES))
    m = report["metrics"]["dev"]
    assert m["false_eligible"] == 1 and m["verdict_accuracy"] == 0.0 and m["spurious_findings"] == 1
    assert m["retrieval_hit_at_3"] == 0.0 and m["handoff_recall"] == 0.0
    assert report["rule_coverage"]["dev"] == 0.0


def test_a_perfect_answer_scores_one() -> None:
    case = _case([{"verdict": "eligible", "rule_id": "dg.print-ads", "category": "demand_generation"}], False,
                 ["demand-generation"])
    answer = Answer(question="q", findings=[_finding("eligible", "dg.print-ads", "Printanzeigen", "demand_generation")],
                    sources=[Source(section="s", text="t", score=1, section_id="demand-generation")])
    m = score([case], lambda c: answer, QUOTES, ["dg.print-ads"])["metrics"]["dev"]
    assert (m["verdict_accuracy"], m["category_accuracy"], m["citation_accuracy"], m["retrieval_hit_at_3"]) == (1, 1, 1, 1)
    assert m["handoff_precision"] == 1.0 and m["case_exact_accuracy"] == 1.0


def test_wrong_quote_fails_citation_only() -> None:
    case = _case([{"verdict": "eligible", "rule_id": "dg.print-ads", "category": "demand_generation"}], False, [])
    answer = Answer(question="q", findings=[_finding("eligible", "dg.print-ads", "Digitale Werbung", "demand_generation")],
                    handoff=Handoff(reason="r"))
    m = score([case], lambda c: answer, QUOTES, ["dg.print-ads"])["metrics"]["dev"]
    assert m["verdict_accuracy"] == 1.0 and m["citation_accuracy"] == 0.0 and m["handoff_precision"] == 0.0
