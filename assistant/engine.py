"""The assistant service: validates the question, runs the checker and retrieval, builds the Answer."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from assistant.checker import Checker
from assistant.config import Settings
from assistant.embeddings import Embedder, get_embedder
from assistant.errors import InputError, KnowledgeError
from assistant.extract import detect_language, language_of
from assistant.knowledge import KnowledgeBase, load_knowledge
from assistant.models import Answer, Handoff, Language, Source
from assistant.render import input_error_reply, render_reply
from assistant.retrieval import Retriever, lexical_tokens
from assistant.rules.loader import RuleBase, load_rules
from assistant.rules.matcher import Matcher
from assistant.rules.semantic import ExampleIndex
from assistant.text import clean_question

log = logging.getLogger(__name__)
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
MIN_SOURCES = 3


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.split(text) if s.strip()]


class Assistant:
    """Everything loaded once (rules proved against the guidance, index opened); `answer` per question."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.settings = settings
        self.knowledge: KnowledgeBase = load_knowledge(settings.knowledge_dir)
        self.rules: RuleBase = load_rules(settings.rules_dir, self.knowledge)
        day = settings.rules_date()
        if not self.knowledge.in_force(day):
            raise KnowledgeError(f"The guidance {self.knowledge.version} is not in force on {day}: "
                                 "add the current edition to knowledge/ and its manifest (or set COOP_AS_OF).")
        self.embedder = embedder or get_embedder(settings.embedding_model, settings.embedding_backend,
                                                 settings.model_cache, settings.encoder_threads)
        semantic = (
            ExampleIndex(self.embedder, list(self.rules.rules), settings.semantic_threshold, settings.semantic_margin,
                         settings.model_cache / "vectors")
            if settings.semantic_fallback
            else None
        )
        learned = purposes = veto = None
        if settings.recognizer:
            from assistant.nlu.recognizer import DATA_DIR, NONE, PROCESS, Recognizer, purpose_reader, veto_reader

            rule_ids = {r.id for r in self.rules.rules}
            learned = Recognizer.load_or_train(DATA_DIR, settings.model_cache, rule_ids | {NONE, PROCESS})
            veto = veto_reader(rule_ids | {NONE, PROCESS}, settings.model_cache, self.rules.frame_set)
            if settings.purpose_reader:
                purposes = purpose_reader(rule_ids, settings.model_cache, self.rules.frame_set)
        self.matcher = Matcher(self.rules, semantic, learned, settings.recognizer_none_veto,
                               settings.recognizer_min, purposes, settings.purpose_min, veto,
                               settings.recognizer_corroborate_min, settings.recognizer_asked_min)
        self.checker = Checker(self.rules, self.matcher, self.knowledge)
        self.retriever = Retriever(settings, self.knowledge, self.embedder, self.rules, progress)

    def prime(self, questions: list[object]) -> None:
        """Batch mode: the retrieval of a block of questions in one encoder call and one index query
        (`Retriever.prime`); `answer` then gives the same answers faster. Invalid questions are skipped (their
        answers carry the error)."""
        texts = []
        for question in questions:
            try:
                texts.append(clean_question(question, self.settings.max_question_chars))
            except InputError:
                continue
        self.retriever.prime(texts)

    def answer(self, question: object, qid: str | None = None, activities: list[str] | None = None,
               language: Language | None = None, process_only: bool = False) -> Answer:
        """The contract's answer object; invalid input yields an answer with `error` set.

        `language` overrides the detection (a follow-up too short to tell takes the conversation's); `process_only`
        answers the process question alone, without findings for the activities it names (a follow-up about
        activities the conversation already decided: „Zurück zur Messe: reichen Fotos als Nachweis?“).
        """
        try:
            text = clean_question(question, self.settings.max_question_chars)
        except InputError as exc:
            shown = question if isinstance(question, str) else repr(question)[:200]
            # a question that is no text has no language to follow: the caller's (the chat's), else English like the
            # batch's other line errors (README); text: its own language when its words tell it, else the caller's
            language = (language_of(question[:2000]) or language or detect_language(question[:2000])) \
                if isinstance(question, str) else (language or "en")
            return Answer.for_error(str(exc), qid, shown, language, input_error_reply(exc, language))
        check = self.checker.check(text, activities, language)
        lang = check.language
        answer = Answer(id=qid, question=text, language=lang, findings=[] if process_only else check.findings,
                        topics=check.topics,
                        injection_detected=check.injection_detected, unassessed=check.unassessed,
                        guidance_version=self.knowledge.version)
        answer.sources = self._sources(text, answer)
        answerable = [t for t in self.rules.topics if t.id in check.topics and t.answerable]
        unanswerable = any(not t.answerable for t in self.rules.topics if t.id in check.topics)
        not_yes = [f for f in answer.findings if f.verdict != "eligible"]
        # the reason is for machines and logs, in English like `error` (README); the person reads `answer`
        if not_yes:
            answer.handoff = Handoff(
                reason=f"{len(not_yes)} activit{'y' if len(not_yes) == 1 else 'ies'} without a clear yes in the guidance.")
        elif not answer.findings and (unanswerable or not (answerable or check.process)):
            answer.handoff = Handoff(reason="The question goes beyond what the Co-op guidance answers.")
        # a process question that names no topic ("How should we document the champion's work for the claim?"): the
        # best of the sections on how Co-op works (proof, claims …), not "no activity found"
        passages = [] if answer.findings else self._passages(text, answer, answerable_only=bool(answerable),
                                                             any_topic=check.process and not check.topics)
        answer.answer = render_reply(answer, self.reminders_for(answer), passages)
        return answer

    def _sources(self, text: str, answer: Answer) -> list[Source]:
        hits = self.retriever.search(text, k=0)
        scores = {h.section_id: h.score for h in hits}
        preferred: list[str] = []
        for f in answer.findings:
            candidates = [self.rules.rule(c).section for c in f.candidates]
            for sid in [f.section_id, *candidates]:
                if sid and sid not in preferred:
                    preferred.append(sid)
        for topic in self.rules.topics:
            if topic.id in answer.topics and not answer.findings:
                preferred += [s for s in topic.sections if s not in preferred]
        order = preferred + [h.section_id for h in hits if h.section_id not in preferred]
        k = max(self.settings.top_k, MIN_SOURCES, len(preferred))
        out = []
        for sid in order[:k]:
            section = self.knowledge.section(sid)
            rendering = self.knowledge.rendering(sid, "en")
            out.append(Source(section=section.title, text=section.text, score=scores.get(sid, 0.0), section_id=sid,
                              text_en=rendering.text if rendering else None,
                              basis=sid in preferred))
        return out

    def reminders_for(self, answer: Answer) -> list[tuple[str, str]]:
        """The pre-approval, POE and claim reminders for the eligible findings: (text, section title)."""
        eligible = {f.rule_id for f in answer.findings if f.verdict == "eligible" and f.rule_id}
        if not eligible:
            return []
        lang = answer.language
        out = []
        for rem in self.rules.reminders:
            if rem.applies_to == "all_eligible" or eligible & set(rem.applies_to):
                out.append((rem.text.de if lang == "de" else rem.text.en, self.knowledge.title_in(rem.section, lang)))
        return out

    def _passages(self, text: str, answer: Answer, answerable_only: bool, any_topic: bool = False) -> list[str]:
        """For a process question: the best sentences of the sections that answer it, quoted.

        Sections: those of the recognised process topics — with `any_topic` (a process question naming none), those
        of every topic the guidance answers — in the order retrieval ranks them (else the top source), at most two;
        from each, up to two sentences that share the most words with the question.
        """
        if not (answerable_only or any_topic):
            return []
        query = set(lexical_tokens(text))
        topic_sections = [sid for t in self.rules.topics if t.answerable and (any_topic or t.id in answer.topics)
                          for sid in t.sections]
        ranked_sources = [s.section_id for s in answer.sources if s.section_id]
        chosen = [sid for sid in ranked_sources if sid in topic_sections][:2] or ranked_sources[:1]
        out = []
        for sid in chosen:
            section = self.knowledge.section(sid)
            german = sentences(section.body)
            rendering = self.knowledge.rendering(sid, "en")
            english = sentences(rendering.body) if rendering else []
            overlap = [len(query & set(lexical_tokens(g + " " + (english[i] if i < len(english) else ""))))
                       for i, g in enumerate(german)]
            best = sorted(range(len(german)), key=lambda i: -overlap[i])[:2]
            best = [i for i in best if overlap[i] > 0] or best[:1]
            for i in sorted(best):
                line = f"> {german[i]}"
                if answer.language == "en" and i < len(english):
                    line += f"\n>\n> _{english[i]}_"
                out.append(line + f"\n\n— *{self.knowledge.title_in(sid, answer.language)}*")
        return out
