"""Runs the eval set end to end, writes the JSON and Markdown reports, applies the thresholds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from assistant.dialogue.resolver import Conversation
from assistant.engine import Assistant
from assistant.evaluation import Case, load_cases, score
from assistant.yamlio import load_yaml

SHOWN = ("verdict_accuracy", "category_accuracy", "citation_accuracy", "case_exact_accuracy", "false_eligible",
         "spurious_findings", "spurious_eligible", "handoff_precision", "handoff_recall", "retrieval_hit_at_3",
         "retriever_hit_at_3", "context_turn_accuracy")


def _retriever_hits(assistant: Assistant, cases: list[Case]) -> dict[str, float]:
    """hit@3 of the hybrid retriever alone (no help from the matched rules' sections)."""
    totals: dict[str, list[int]] = {}
    for case in cases:
        if not case.sections:
            continue
        top = [h.section_id for h in assistant.retriever.search(case.question, k=3)]
        hit = int(bool(set(case.sections) & set(top)))
        for key in (case.split, f"{case.split}/{case.language}", "all"):
            totals.setdefault(key, []).append(hit)
    return {k: round(sum(v) / len(v), 4) for k, v in totals.items()}


def _markdown(report: dict[str, Any]) -> str:
    lines = ["# Eval report", "", f"Cases: {report['cases']} · rule coverage: {report['rule_coverage']}", "",
             "| section | " + " | ".join(SHOWN) + " |", "|" + "---|" * (len(SHOWN) + 1)]
    for name, m in report["metrics"].items():
        lines.append(f"| {name} | " + " | ".join("" if m.get(k) is None else str(m[k]) for k in SHOWN) + " |")
    lines += ["", "## Per verdict (precision / recall / support)", ""]
    for name, m in report["metrics"].items():
        if "/" in name:
            continue
        cells = [f"{v}: {d['precision']}/{d['recall']}/{d['support']}" for v, d in m["per_verdict"].items()]
        lines.append(f"- {name}: " + " · ".join(cells))
    lines += ["", "## Gate", ""] + [f"- {g}" for g in report["gate"]]
    return "\n".join(lines) + "\n"


def _gate(report: dict[str, Any], thresholds: dict[str, Any], require_all: bool = True) -> list[str]:
    """Threshold failures; with require_all=False, sections the data has no cases for are skipped."""
    failures = []
    for section, bounds in thresholds.items():
        if not require_all and section not in report["metrics"]:
            continue
        metrics = dict(report["metrics"].get(section, {}))
        metrics["rule_coverage"] = min(report["rule_coverage"].values()) if section == "all" else \
            report["rule_coverage"].get(section, 0.0)
        for name, bound in (bounds.get("min") or {}).items():
            if (metrics.get(name) or 0.0) < bound:
                failures.append(f"{section}.{name} = {metrics.get(name)} < {bound}")
        for name, bound in (bounds.get("max") or {}).items():
            if (metrics.get(name) or 0) > bound:
                failures.append(f"{section}.{name} = {metrics.get(name)} > {bound}")
    return failures


def run_eval(assistant: Assistant, data: Path, report_dir: Path, thresholds_path: Path, show: str,
             require_all: bool = True) -> bool:
    """Score every case of `data`, write the reports, print the table; False when a threshold is missed.

    A blind folder (named `blind`) reports numbers only: its failures keep their ids and lose their text,
    and none are printed whatever `show` says — a set whose failures were read is no longer blind.
    """
    blind = data.resolve().name == "blind"
    cases = load_cases(data)
    quotes = {r.id: r.source_quote for r in assistant.rules.rules}
    conversation = Conversation(assistant)
    report = score(cases, lambda c: conversation.answer(c.question, c.history, c.id), quotes,
                   [r.id for r in assistant.rules.rules])
    for key, value in _retriever_hits(assistant, cases).items():
        report["metrics"].setdefault(key, {})["retriever_hit_at_3"] = value
    report["cases"] = len(cases)
    failures = _gate(report, load_yaml(thresholds_path) or {}, require_all)
    report["gate"] = failures or ["all thresholds met"]
    shown = [f for f in report["failures"] if f["split"] == show and not blind]
    report["failures"] = [f if f["split"] != "heldout" and not blind else {"id": f["id"], "split": f["split"]}
                          for f in report["failures"]]
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "latest.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (report_dir / "latest.md").write_text(_markdown(report), encoding="utf-8")
    typer.echo(_markdown(report))
    for f in shown:
        typer.echo(f"FAIL {f['id']}: {f['question']!r}\n     " + "; ".join(f["problems"]))
    typer.echo(f"reports: {report_dir / 'latest.json'}, {report_dir / 'latest.md'}")
    return not failures


def calibrate(assistant: Assistant, data: Path, split: str = "dev") -> float | None:
    """Pick the semantic-fallback threshold on labelled single-activity cases of one split.

    Each question is scored by the example index alone (no lexical rules). A prediction at
    similarity s counts as made for every threshold ≤ s; the chosen threshold is the lowest
    one at which no prediction says eligible where the label does not (and no wrong rule
    is cited), which maximises how many questions the fallback answers correctly.
    """
    from assistant.rules.semantic import ExampleIndex

    semantic = assistant.matcher.semantic
    if not isinstance(semantic, ExampleIndex):
        typer.echo("semantic fallback is off (the default); set COOP_SEMANTIC_FALLBACK=true to calibrate it")
        return None
    rows = []
    for case in load_cases(data):
        if case.split != split or len(case.findings) != 1:
            continue
        want = case.findings[0]
        ranked = semantic.scores(case.question)
        (rule, top), second = ranked[0], ranked[1][1]
        correct = rule.id == want.get("rule_id")
        rows.append((top, top - second, correct))
    grid = [round(0.40 + 0.02 * i, 2) for i in range(26)]
    best: tuple[int, float] | None = None
    typer.echo("threshold  answered  correct  wrong")
    for t in grid:
        made = [r for r in rows if r[0] >= t and r[1] >= semantic.margin]
        right = sum(1 for r in made if r[2])
        wrong = len(made) - right
        typer.echo(f"{t:9.2f}  {len(made):8d}  {right:7d}  {wrong:5d}")
        if wrong == 0 and (best is None or right > best[0]):
            best = (right, t)
    choice = best[1] if best else None
    typer.echo(f"calibrated threshold: {choice} (current setting {semantic.threshold}); {len(rows)} cases of '{split}'")
    return choice
