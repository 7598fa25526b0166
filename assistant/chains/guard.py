"""The guard: model prose may phrase the engine's result, never contradict, drop or invent a rule."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import Runnable

from assistant.chains.llm import call
from assistant.models import Answer, Finding
from assistant.rules.loader import RuleBase
from assistant.text import fold, words

log = logging.getLogger(__name__)
_POSITIVE = re.compile(
    r"\b(eligible|förderfähig|foerderfaehig|zulässig|erlaubt|approved|allowed|permitted|covered|berechtigt|"
    r"erstattungsfähig|kann (über|mit) co-?op|can be (paid|funded|covered)|you can (pay|use|fund)|ja\b|yes\b)",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"\b(not|nicht|kein\w*|no|never|nie|unclear|unklar|excluded|ausgeschlossen|cannot|can't|nein|"
    r"doesn't|does not|isn't|is not|unsure|offen|rückfrage|klären|clarify|depends|hängt)\b|partner care",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_QUOTED = re.compile(r"„[^“]*“|\"[^\"]*\"|“[^”]*”")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""


def _mentions(sentence: str, finding: Finding, frame: frozenset[str]) -> bool:
    """Does the sentence speak about the finding's activity (any of its content words, also inside compounds)?"""
    keys = [w for w in words(finding.activity) if len(w) > 3 and w not in frame]
    text = " ".join(words(fold(sentence)))
    return any(k in text for k in keys)


def check_prose(text: str, answer: Answer, rules: RuleBase) -> Verdict:
    """Accept model prose only if it keeps every verdict, cites every rule and invents none.

    Policy:
    - every finding's verbatim source quote must appear in the text (no dropped citation);
    - no other rule's quote and no unknown rule id may appear (no invented citation);
    - a sentence about a finding that is not eligible must not call it eligible unless it
      also carries a negation or hand-off ("not eligible", "unclear — ask Partner Care");
    - if no finding is eligible, no sentence may call anything eligible without negation.
    """
    if not text.strip():
        return Verdict(False, "empty text")
    cited = {f.rule_id for f in answer.findings if f.rule_id}
    for f in answer.findings:
        if f.source_quote and f.source_quote not in text:
            return Verdict(False, f"dropped the quote of {f.rule_id}")
    for rule in rules.rules:
        if rule.id not in cited and len(rule.source_quote) > 12 and rule.source_quote in text:
            return Verdict(False, f"cites {rule.id}, which decides nothing here")
    for rid in re.findall(r"\b(?:dg|md|ps|allow|excl)\.[a-z0-9-]+", text):
        if rid not in cited:
            return Verdict(False, f"names rule id {rid} that the engine did not use")
    # Judge the model's own words: quoted guidance ("… nicht Co-op-berechtigt.") must not count as its negation.
    own = text
    for rule in rules.rules:
        own = own.replace(rule.source_quote, " [Zitat] ")
    own = _QUOTED.sub(" [Zitat] ", own)
    sentences = [s for s in _SENTENCE.split(own) if s.strip()]
    not_yes = [f for f in answer.findings if f.verdict != "eligible"]
    for f in not_yes:
        for s in sentences:
            if _mentions(s, f, rules.frame_set) and _POSITIVE.search(s) and not _NEGATIVE.search(s):
                return Verdict(False, f"calls {f.activity!r} eligible, the engine says {f.verdict}")
    if answer.findings and not any(f.verdict == "eligible" for f in answer.findings):
        for s in sentences:
            if _POSITIVE.search(s) and not _NEGATIVE.search(s):
                return Verdict(False, "implies eligibility where nothing is eligible")
    return Verdict(True)


def guarded_call(model: Runnable, inputs: dict[str, Any], answer: Answer, rules: RuleBase,
                 deadline: float | None = None) -> tuple[str | None, str]:
    """The model's text if the call succeeds and `check_prose` accepts it; else None and the reason.

    Any failure of the call (deadline passed, HTTP error, bad payload) counts as "model unavailable";
    `deadline` (seconds, wall clock) bounds the whole call.
    """
    try:
        text = call(model, inputs, deadline)
    except Exception as exc:  # noqa: BLE001 - every failure means: use the deterministic text
        log.warning("model call failed (%s); using the deterministic text", exc)
        return None, f"model unavailable: {type(exc).__name__}"
    verdict = check_prose(text, answer, rules)
    if not verdict.ok:
        log.warning("guard rejected the model's text: %s", verdict.reason)
        return None, f"guard: {verdict.reason}"
    return text, ""


def language_name(answer: Answer) -> str:
    return "German" if answer.language == "de" else "English"
