"""The deterministic matcher: decides one activity against the rule base and says why.

Policy (in this order):
1. an exclusion whose terms occur decides "not_eligible" — exclusions win over everything;
2. a "not covered" term (salaries, rent, donations…) decides "unclear";
3. an allowance decides "eligible" (category none) — allowances win over the eligible list;
4. the eligible activity with the most specific matching term decides "eligible";
   rules for one audience (customer / internal) are set aside when the activity names
   only the other audience, and their ambiguous words ("workshop", "training") count
   only when the audience is named; named by neither → "needs_info";
5. otherwise the semantic fallback (if given) may decide over the rules' example phrasings;
6. otherwise "unclear": no rule of the guidance decides it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

from assistant.rules.loader import RuleBase
from assistant.rules.schema import Rule
from assistant.rules.terms import Term, compile_terms, hits
from assistant.text import words

Outcome = Literal["eligible", "not_eligible", "unclear", "needs_info"]


@dataclass(frozen=True)
class Decision:
    """The matcher's verdict on one activity, with what decided it."""

    verdict: Outcome
    rule: Rule | None = None
    matched_by: Literal["lexical", "semantic", "none"] = "none"
    terms: tuple[str, ...] = ()
    confidence: float = 0.5
    candidates: tuple[str, ...] = ()
    reason: str = "no-rule"  # no-rule | not-covered | ambiguous-audience | rule


class SemanticFallback(Protocol):
    def best(self, text: str) -> tuple[Rule, float, float] | None:
        """Best rule for `text`, its similarity and the margin to the next different rule."""


@dataclass
class _Compiled:
    rule: Rule
    terms: tuple[Term, ...]
    ambiguous: tuple[Term, ...]


@dataclass
class Matcher:
    """Compiled rule base for one date; `decide` is pure and deterministic."""

    base: RuleBase
    day: date
    semantic: SemanticFallback | None = None
    _rules: list[_Compiled] = field(init=False)
    _not_covered: list[tuple[str, tuple[Term, ...]]] = field(init=False)
    _audiences: dict[str, tuple[Term, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self._rules = [
            _Compiled(r, compile_terms(r.terms.all()), compile_terms(r.ambiguous_terms.all()))
            for r in self.base.rules
            if r.validity.covers(self.day)
        ]
        # blockers match exactly (no typo tolerance): "stationed" must not read as "Stadion"
        self._not_covered = [(n.id, compile_terms(n.terms.all(), fuzzy=False)) for n in self.base.not_covered]
        self._audiences = {k: compile_terms(v.all()) for k, v in self.base.audiences.items()}

    @property
    def rules(self) -> list[Rule]:
        return [c.rule for c in self._rules]

    def audiences_in(self, tokens: tuple[str, ...]) -> set[str]:
        return {name for name, terms in self._audiences.items() if hits(terms, tokens)}

    def lexical_hits(self, tokens: tuple[str, ...], audiences: set[str]) -> tuple[list[tuple[Rule, list[Term]]], list[Rule]]:
        """Rules whose terms occur (audience-checked), and audience rules left ambiguous."""
        decided: list[tuple[Rule, list[Term]]] = []
        ambiguous: list[Rule] = []
        for c in self._rules:
            found = hits(c.terms, tokens)
            vague = hits(c.ambiguous, tokens)
            aud = c.rule.audience
            if aud != "any":
                other_only = bool(audiences) and aud not in audiences
                if other_only:
                    continue
                if vague and aud in audiences and len(audiences) == 1:
                    found = found + vague
                elif vague and not found:
                    ambiguous.append(c.rule)
            if found:
                decided.append((c.rule, found))
        return decided, ambiguous

    def decide(self, text: str, context: str = "", allow_semantic: bool = True) -> Decision | None:
        """Decide one activity; `context` (the whole question) supplies the audience if the activity has none.

        Returns None when the text names nothing a rule or the fallback could judge.
        """
        tokens = tuple(words(text))
        if not tokens:
            return None
        audiences = self.audiences_in(tokens) or self.audiences_in(tuple(words(context)))
        decided, ambiguous = self.lexical_hits(tokens, audiences)
        excluded = _best([d for d in decided if d[0].kind == "exclusion"])
        if excluded:
            return _lexical(excluded)
        covered = [nid for nid, terms in self._not_covered if hits(terms, tokens)]
        if covered:
            return Decision("unclear", terms=tuple(covered), confidence=0.8, reason="not-covered")
        for kind in ("allowance", "eligible_activity"):
            best = _best([d for d in decided if d[0].kind == kind])
            if best:
                return _lexical(best)
        if ambiguous:
            return Decision(
                "needs_info", candidates=tuple(r.id for r in ambiguous), confidence=0.6, reason="ambiguous-audience"
            )
        if self.semantic is not None and allow_semantic:
            found = self.semantic.best(text)
            if found is not None:
                rule, score, _margin = found
                verdict: Outcome = "not_eligible" if rule.kind == "exclusion" else "eligible"
                return Decision(verdict, rule, "semantic", confidence=round(min(score, 0.9), 3), reason="rule")
        return None


def _best(found: list[tuple[Rule, list[Term]]]) -> tuple[Rule, list[Term]] | None:
    """Most specific match: highest term weight, then most distinct terms; ties keep rule order."""
    if not found:
        return None
    return max(found, key=lambda d: (max(t.weight for t in d[1]), len(d[1])))


def _lexical(found: tuple[Rule, list[Term]]) -> Decision:
    rule, terms = found
    verdict: Outcome = "not_eligible" if rule.kind == "exclusion" else "eligible"
    weight = max(t.weight for t in terms)
    confidence = round(min(0.97, 0.8 + 0.01 * weight + 0.02 * (len(terms) - 1)), 3)
    ordered = sorted(terms, key=lambda t: -t.weight)
    return Decision(verdict, rule, "lexical", tuple(t.raw for t in ordered), confidence, reason="rule")
