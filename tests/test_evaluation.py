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


def test_dialogue_lines_become_turns_with_their_history(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from assistant.evaluation import load_cases

    turn = {"findings": [], "handoff": False, "sections": []}
    dialogue = {"id": "d1", "language": "de", "turns": [{"question": "A?", "expected": turn},
                                                        {"question": "B?", "expected": turn},
                                                        {"question": "C?", "expected": turn}]}
    single = {"id": "s1", "question": "X?", "language": "en", "expected": turn}
    (tmp_path / "mixed.jsonl").write_text(json.dumps(dialogue) + "\n" + json.dumps(single) + "\n", encoding="utf-8")
    cases = load_cases(tmp_path)
    assert [(c.id, c.question, c.history, c.kind) for c in cases] == [
        ("d1/t1", "A?", [], "dialogue-turn"), ("d1/t2", "B?", ["A?"], "dialogue-turn"),
        ("d1/t3", "C?", ["A?", "B?"], "dialogue-turn"), ("s1", "X?", [], "?")]


def test_context_turns_are_scored_apart() -> None:
    first = Case("d/t1", "q", "de", "dialogue-turn", "dlg", [], False, [])
    follow = Case("d/t2", "q", "de", "dialogue-turn", "dlg", [], False, [], ["earlier"])
    wrong = Answer(question="q", language="de", findings=[_finding("eligible", None)])
    report = score([first, follow], lambda c: Answer(question="q", language="de") if c is first else wrong, {},
                   ["dg.print-ads"])
    metrics = report["metrics"]["dlg"]
    assert metrics["case_exact_accuracy"] == 0.5 and metrics["context_turn_accuracy"] == 0.0
    assert metrics["spurious_eligible"] == 1


def test_a_blind_folder_reports_numbers_only(assistant, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Failures of a blind set keep their ids and lose their text, in the report and on the screen."""
    import json

    from assistant.evalrun import run_eval

    blind = tmp_path / "blind"
    blind.mkdir()
    wrong = {"id": "b1", "question": "Können wir LinkedIn-Anzeigen mit Co-op bezahlen?", "language": "de",
             "expected": {"findings": [{"verdict": "not_eligible", "category": None, "rule_id": None}],
                          "handoff": True, "sections": []}}
    (blind / "set.jsonl").write_text(json.dumps(wrong) + "\n", encoding="utf-8")
    thresholds = tmp_path / "t.yaml"
    thresholds.write_text("{}\n", encoding="utf-8")
    run_eval(assistant, blind, tmp_path / "reports", thresholds, show="set", require_all=False)
    report = json.loads((tmp_path / "reports" / "latest.json").read_text(encoding="utf-8"))
    assert report["failures"] == [{"id": "b1", "split": "set"}]
    shown = capsys.readouterr().out
    assert "LinkedIn" not in shown and "FAIL" not in shown and "| set |" in shown
