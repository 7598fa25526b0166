"""The rule checker: turns a question into one finding per activity, deterministically."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.extract import Piece, detect_language, split_pieces
from assistant.knowledge import KnowledgeBase
from assistant.models import Finding
from assistant.render import explain
from assistant.rules.loader import RuleBase
from assistant.rules.matcher import Decision, Matcher
from assistant.rules.terms import compile_terms, hits
from assistant.text import words

_TOKEN = re.compile(r"[\w][\w'’.-]*\w|\w", re.UNICODE)


@dataclass(frozen=True)
class Check:
    """What the checker found in one question."""

    language: str
    findings: list[Finding]
    topics: list[str]
    injection_detected: bool
    unassessed: list[str]


class Checker:
    """Rule base + matcher + knowledge: `check(question)` is pure and repeatable."""

    def __init__(self, rules: RuleBase, matcher: Matcher, knowledge: KnowledgeBase) -> None:
        self.rules = rules
        self.matcher = matcher
        self.knowledge = knowledge
        self.frame = {w for term in rules.frame_words.all() for w in words(term)}
        self._topics = [(t.id, compile_terms(t.terms.all())) for t in rules.topics]
        self._answerable = {t.id for t in rules.topics if t.answerable}
        self._topic_ids = {t.id for t in rules.topics}
        self._cue_words = {w for b in rules.audiences.values() for term in b.all() for w in words(term)}

    def topics_in(self, text: str) -> list[str]:
        tokens = tuple(words(text))
        return [tid for tid, terms in self._topics if hits(terms, tokens)]

    def content_words(self, text: str) -> list[str]:
        """Words that could name an activity: not question frame, not audience, not filler."""
        return [w for w in words(text) if w not in self.frame and w not in self._cue_words and len(w) > 2]

    def activity_text(self, text: str) -> str:
        """The piece as written, without leading/trailing frame words ("Können wir … bezahlen")."""
        spans = [m for m in _TOKEN.finditer(text)]
        keep = [all(w in self.frame for w in words(m.group())) for m in spans]
        if not any(not k for k in keep):
            return text.strip()
        first = keep.index(False)
        last = len(keep) - 1 - keep[::-1].index(False)
        return text[spans[first].start() : spans[last].end()].strip()

    def check(self, question: str, activities: list[str] | None = None) -> Check:
        """Findings for `question`; `activities` (from the extraction chain) replace the splitter's pieces."""
        language = detect_language(question)
        pieces, injected = split_pieces(question)
        if activities:
            pieces = [Piece(a, a, asks=True, question=True) for a in activities]
        topics: list[str] = []
        decided_sentences: set[str] = set()
        decisions: list[tuple[Piece, Decision | None, list[str], list[str]]] = []
        for piece in pieces:
            content = self.content_words(piece.text)
            decision = self.matcher.decide(piece.text, context=question, allow_semantic=False)
            piece_topics = self.topics_in(piece.text)
            topics += [t for t in piece_topics if t not in topics]
            process = any(t in self._answerable for t in piece_topics) and piece.question and not piece.asks
            if decision is not None and process and decision.reason == "rule":
                decision = None  # "what proof do we need for an e-mail campaign?" asks about the process
            if decision is not None or piece_topics:
                decided_sentences.add(piece.sentence)
            decisions.append((piece, decision, piece_topics, content))
        findings: list[Finding] = []
        unassessed: list[str] = []
        by_key: dict[str, Finding] = {}
        for piece, decision, piece_topics, content in decisions:
            if decision is None and content and not piece_topics and piece.sentence not in decided_sentences:
                # the semantic fallback only speaks where no word of the sentence was recognised
                decision = self.matcher.decide(piece.text, context=question, allow_semantic=True)
            if decision is None:
                # Policy: in a message where activities or a process topic were recognised,
                # a leftover of one word ("Standbau", "the effort") is context, reported as not
                # assessed; otherwise an unrecognised activity that is asked about is "unclear".
                if piece_topics or not content or not (piece.asks or piece.question or decided_sentences):
                    continue
                if piece.injected:
                    continue  # what is left of an injected instruction is not an activity
                if decided_sentences and len(content) < 2:
                    unassessed.append(self.activity_text(piece.text))
                    continue
                decision = Decision("unclear", confidence=0.5, reason="no-rule")
            finding = self._finding(piece, decision, language)
            key = _merge_key(decision)
            if key and key in by_key:
                merged = by_key[key]
                merged.activity = f"{merged.activity}, {finding.activity}"
                continue
            if key:
                by_key[key] = finding
            findings.append(finding)
        return Check(language, findings, topics, injected, unassessed)

    def _finding(self, piece: Piece, decision: Decision, language: str) -> Finding:
        rule = decision.rule
        activity = self.activity_text(piece.text)
        section = self.knowledge.section(rule.section) if rule else None
        return Finding(
            activity=activity,
            verdict=decision.verdict,
            category=rule.category if rule else None,
            rule_id=rule.id if rule else None,
            source_quote=rule.source_quote if rule else None,
            section=section.title if section else None,
            section_id=section.id if section else None,
            explanation=explain(activity, decision, language, self.rules),
            confidence=decision.confidence,
            matched_by=decision.matched_by,
            matched_terms=list(decision.terms),
            source_quote_en=_quote_en(self.knowledge, rule.section, rule.title.en) if rule else None,
            candidates=list(decision.candidates),
        )


def _quote_en(knowledge: KnowledgeBase, section_id: str, title_en: str) -> str | None:
    """The English rendering's line for the rule, when the translation has one."""
    rendering = knowledge.rendering(section_id, "en")
    if rendering is None:
        return None
    for line in rendering.text.splitlines():
        if title_en.lower() in line.lower():
            return line.lstrip("- ").strip()
    return title_en


def _merge_key(decision: Decision) -> str:
    """Findings with the same key are one activity named twice ("Kundenseminare und Bootcamps")."""
    if decision.rule is not None:
        return decision.rule.id
    if decision.candidates:
        return "needs_info:" + ",".join(decision.candidates)
    if decision.reason == "not-covered":
        return "not_covered:" + ",".join(decision.terms)
    return ""
