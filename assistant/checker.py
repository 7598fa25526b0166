"""The rule checker: turns a question into one finding per activity, deterministically."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.extract import PARENS, Piece, detect_language, split_pieces
from assistant.knowledge import KnowledgeBase
from assistant.models import Finding, Language
from assistant.render import explain
from assistant.rules.loader import RuleBase
from assistant.rules.matcher import Decision, Matcher
from assistant.rules.terms import compile_terms, hits
from assistant.text import words

_TOKEN = re.compile(r"[\w][\w'’.-]*\w|\w", re.UNICODE)


@dataclass(frozen=True)
class Check:
    """What the checker found in one question."""

    language: Language
    findings: list[Finding]
    topics: list[str]
    injection_detected: bool
    unassessed: list[str]
    process: bool = False  # a sentence was read as a process question (proof, claims, planning) naming no topic term


class Checker:
    """Rule base + matcher + knowledge: `check(question)` is pure and repeatable."""

    def __init__(self, rules: RuleBase, matcher: Matcher, knowledge: KnowledgeBase) -> None:
        self.rules = rules
        self.matcher = matcher
        self.knowledge = knowledge
        self.frame = rules.frame_set
        self._topics = [(t.id, compile_terms(t.terms.all())) for t in rules.topics]
        self._answerable = {t.id for t in rules.topics if t.answerable}
        self._settled = compile_terms(rules.settled_cues.all(), fuzzy=False)

    def settled(self, sentence: str) -> bool:
        """Does the sentence only report something settled, known or excluded ("We know MDF is off limits.")?"""
        return bool(hits(self._settled, tuple(words(sentence))))

    def reads_as_process(self, sentence: str) -> bool:
        """Does the learned recogniser read the sentence as a question about how Co-op works (p >= 0.5)?"""
        learned = self.matcher.learned
        if learned is None:
            return False
        reading = learned.read(self.rules.expand(sentence))
        return bool(reading.label == "process" and reading.probability >= 0.5)

    def topics_in(self, text: str) -> list[str]:
        tokens = tuple(words(text))
        return [tid for tid, terms in self._topics if hits(terms, tokens)]

    def content_words(self, text: str) -> list[str]:
        """Words that could name an activity: not question frame, not audience, not filler, not in parentheses."""
        text = PARENS.sub(" ", text)
        return [w for w in words(text) if w not in self.frame and w not in self.rules.audience_words and len(w) > 2]

    def activity_text(self, text: str) -> str:
        """The piece as written, without leading/trailing frame words ("Können wir … bezahlen")."""
        spans = [m for m in _TOKEN.finditer(text)]
        keep = [all(w in self.frame for w in words(m.group())) for m in spans]
        if not any(not k for k in keep):
            return text.strip()
        first = keep.index(False)
        last = len(keep) - 1 - keep[::-1].index(False)
        return text[spans[first].start() : spans[last].end()].strip()

    def check(self, question: str, activities: list[str] | None = None, language: Language | None = None) -> Check:
        """Findings for `question`; `activities` (from the extraction chain) replace the splitter's pieces.

        Policy for text no rule recognises:
        - a sentence that neither asks about paying nor is a question (greetings, context,
          signatures) contributes only what a rule recognises; list items count as asked
          when the message asks anywhere;
        - a sentence about a process topic (proof, claims, budget), or one the learned recogniser reads
          as a process question, that does not ask about paying is a process question: its activity
          words are context, not findings;
        - when a question sentence names an activity, statements that neither ask about paying nor
          are list items are context: what they name gets no finding;
        - in a message where something was recognised, a leftover of a single word
          ("Standbau", "the effort", "den Rabatt") is context, reported as not assessed;
          longer asked-about text that no rule recognises is "unclear".
        """
        language = language or detect_language(question)
        pieces, injected = split_pieces(question)
        if activities:
            pieces = [Piece(a, a, asks=True, question=True) for a in activities]
        message_asks = any(p.asks or p.question for p in pieces)
        message_questions = any(p.question for p in pieces)
        topics: list[str] = []
        sentence_topics: dict[str, list[str]] = {}
        for piece in pieces:
            if piece.sentence not in sentence_topics:
                sentence_topics[piece.sentence] = self.topics_in(piece.sentence)
                topics += [t for t in sentence_topics[piece.sentence] if t not in topics]
        decided_sentences: set[str] = set()
        decisions: list[tuple[Piece, Decision | None, list[str]]] = []
        if message_questions:  # statements of what is settled are context when the message asks elsewhere
            pieces = [p for p in pieces if p.question or not self.settled(p.sentence)]
        for piece in pieces:
            content = self.content_words(piece.text)
            decision = self.matcher.decide(piece.text, context=question, allow_semantic=False, sentence=piece.sentence)
            here = sentence_topics[piece.sentence]
            process = (any(t in self._answerable for t in here) or self.reads_as_process(piece.sentence)) \
                and piece.question and not piece.asks
            if decision is not None and process and decision.reason == "rule":
                decision = None  # "what proof do we need for an e-mail campaign?" asks about the process
            if decision is not None or here:
                decided_sentences.add(piece.sentence)
            decisions.append((piece, decision, content))
        if any(d is not None and p.question for p, d, _ in decisions):
            # the question names its activity: statements around it are context ("The EDM from April is
            # done. Can we add syndicated content?"), unless they ask about paying or are list items
            decisions = [(p, d if p.question or p.asks or p.listed else None, c) for p, d, c in decisions]
        findings: list[Finding] = []
        unassessed: list[str] = []
        excluded = {p.sentence for p, d, _ in decisions if d is not None and d.verdict == "not_eligible"}
        by_key: dict[str, Finding] = {}
        last_unclear: tuple[str, Finding] | None = None
        read_process = False
        for piece, decision, content in decisions:
            # with a question mark somewhere, statements are context ("Our agency said we'd have to pay")
            asking = piece.question or (piece.asks and not message_questions) or (piece.listed and message_asks)
            if decision is None and content and asking and piece.sentence not in decided_sentences:
                # the semantic fallback only speaks where no word of the sentence was recognised
                decision = self.matcher.decide(piece.text, context=question, allow_semantic=True,
                                               sentence=piece.sentence)
            if decision is None:
                if not content or not asking or sentence_topics[piece.sentence] or piece.injected:
                    continue
                if not piece.asks and self.reads_as_process(piece.sentence):
                    read_process = True  # "how soon after the show should we claim?": no activity asked
                    continue
                if decided_sentences and len(content) < 2:
                    unassessed.append(self.activity_text(piece.text))
                    continue
                if last_unclear and last_unclear[0] == piece.sentence:
                    # "train tickets and hotels": one unrecognised activity, one hand-off
                    last_unclear[1].activity += ", " + self.activity_text(piece.text)
                    continue
                decision = Decision("unclear", confidence=0.5, reason="no-rule")
            if decision.verdict == "eligible" and piece.sentence in excluded and \
                    _booking_label(self.activity_text(piece.text), piece.sentence):
                continue
            finding = self._finding(piece, decision, language)
            if decision.reason == "no-rule":
                last_unclear = (piece.sentence, finding)
            key = _merge_key(decision)
            if key and key in by_key:
                merged = by_key[key]
                merged.activity = f"{merged.activity}, {finding.activity}"
                continue
            if key:
                by_key[key] = finding
            findings.append(finding)
        return Check(language, findings, topics, injected, unassessed, read_process)

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


_AS = r"\b(?:als|as|unter|under)\s+(?:(?:an?|ein\w*|the|das|die|der|den)\s+)?"


def _booking_label(activity: str, sentence: str) -> bool:
    """An exclusion wins over an allowed reading of the same activity: in a sentence with an exclusion,
    text that only says how the excluded thing would be booked ("… eine Reise … und sie als SPIFF
    abrechnen", "as an internal incentive") is the same activity, not a second one."""
    return re.search(_AS + re.escape(activity), sentence, re.IGNORECASE) is not None


def _merge_key(decision: Decision) -> str:
    """Findings with the same key are one activity named twice ("Kundenseminare und Bootcamps")."""
    if decision.rule is not None:
        return decision.rule.id
    if decision.candidates:
        return "needs_info:" + ",".join(decision.candidates)
    if decision.reason == "not-covered":
        return "not_covered:" + ",".join(decision.terms)
    return ""
