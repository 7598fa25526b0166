"""Dialogue state and the deterministic reading of a follow-up in its conversation (issue #7, first part).

A conversation is state, not a transcript: the earlier user turns (oldest first) are replayed
through the checker to get the activities discussed, the open clarifying question (a `needs_info`
finding waiting for its audience) and the language. The current message is then read as one of:

- **social** — thanks or a greeting and nothing else: a short reply, never "no activity recognised";
- **new** — it names an activity of its own (a correction "ich meinte eine SMS-Kampagne" is one):
  answered as it stands, a new frame;
- **audience** — it names an audience and no activity ("Für unsere Kunden.", "no, for our staff",
  „und dasselbe für unsere Techniker?"): the last activity is checked again with that audience;
- **reference** — a process question pointing back ("Welche Nachweise brauche ich dafür?", "and when
  do we claim it?"): asked about the last activity;
- **ellipsis** — a short fragment („Und Xing?", "What about Bing?", "SEO?"): checked in the frame
  of the last activity ("Xing" after "LinkedIn-Anzeigen" → "Xing Anzeigen"), else on its own.

The same history and question always give the same answer; the answer's `question` is the
message as sent and `resolved_question` what was checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from assistant.extract import language_of
from assistant.models import Answer, Language
from assistant.text import clean_question, words

if TYPE_CHECKING:
    from assistant.engine import Assistant

TurnKind = Literal["social", "new", "audience", "reference", "ellipsis"]
_SOCIAL = frozenset({"danke", "dankeschön", "vielen", "dank", "super", "prima", "perfekt", "klasse", "toll", "gut",
                     "ok", "okay", "alles", "klar", "hallo", "hi", "hey", "moin", "servus", "guten", "tag", "morgen",
                     "abend", "tschüss", "tschuess", "ciao", "bye", "thanks", "thank", "you", "great", "perfect",
                     "cool", "nice", "good", "hello", "cheers", "morning", "much", "sehr", "schön", "schoen", "top",
                     "verstanden", "got", "it", "understood", "lot", "a", "many", "bis", "dann", "noch", "einen",
                     "schönen", "schoenen", "have", "day", "ja", "yes", "und", "and"})
_ELLIPSIS_START = re.compile(
    r"^\s*(und|and|also|auch|what about|how about|was ist mit|wie (ist|sieht) es (mit|aus mit)|und was ist mit|"
    r"what of|same for|dasselbe für|das gleiche für|gilt das auch für|does that go for|and for)\b", re.IGNORECASE)
_BACK_REFERENCE = re.compile(r"\b(dafür|dafuer|dazu|davon|damit|hierfür|diese[srnm]?|for it|for that|for this|for them|"
                             r"it|them|that one|the first one|the second one|die erste|die zweite|die reise|"
                             r"the trip)\b", re.IGNORECASE)
_REPLIES = {
    "de": "Gern geschehen! Fragen Sie jederzeit nach weiteren Aktivitäten — ich prüfe sie anhand der Co-op-Guidance.",
    "en": "You're welcome! Ask about any other activity at any time — I'll check it against the Co-op guidance.",
}
MAX_ELLIPSIS_WORDS = 4


@dataclass
class DialogueState:
    """What the conversation so far established (rebuilt from the earlier user turns)."""

    language: Language | None = None
    activities: list[str] = field(default_factory=list)  # activities discussed, oldest first
    pending: str | None = None  # the activity of an open needs_info question

    @property
    def last(self) -> str | None:
        return self.activities[-1] if self.activities else None


class Conversation:
    """Answers a message in the context of the earlier user messages (oldest first)."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def answer(self, question: object, history: list[str] | None = None, qid: str | None = None,
               ui_language: Language = "de") -> Answer:
        """The contract's answer to `question` read in `history`; without history, a new conversation."""
        state = self.state(history or [], ui_language)
        if not isinstance(question, str):
            return self.assistant.answer(question, qid)
        try:
            text = clean_question(question, self.assistant.settings.max_question_chars)
        except Exception:  # noqa: BLE001 - the engine turns bad input into an error answer
            return self.assistant.answer(question, qid)
        language = language_of(text) or state.language or ui_language
        kind, resolved = self.read(text, state)
        if kind == "social":
            return Answer(id=qid, question=text, language=language, answer=_REPLIES[language],
                          guidance_version=self.assistant.knowledge.version, turn="social")
        answer = self.assistant.answer(resolved, qid, language=language)
        answer.question = text
        answer.resolved_question = resolved if resolved != text else None
        answer.turn = kind
        return answer

    def state(self, history: list[str], ui_language: Language = "de") -> DialogueState:
        """Replay the earlier turns through the checker (no retrieval): activities, open question, language."""
        state = DialogueState()
        for turn in history:
            if not isinstance(turn, str) or not turn.strip():
                continue
            try:
                text = clean_question(turn, self.assistant.settings.max_question_chars)
            except Exception:  # noqa: BLE001 - an unreadable earlier turn adds nothing
                continue
            state.language = language_of(text) or state.language
            kind, resolved = self.read(text, state)
            if kind == "social":
                continue
            check = self.assistant.checker.check(resolved, language=state.language or ui_language)
            if check.findings:
                state.activities += [f.activity for f in check.findings]
                pending = [f.activity for f in check.findings if f.verdict == "needs_info"]
                state.pending = pending[-1] if pending else None
            elif kind != "reference":
                state.pending = None
        return state

    def read(self, text: str, state: DialogueState) -> tuple[TurnKind, str]:
        """How the message continues the conversation, and the text to check."""
        tokens = words(text)
        if tokens and all(t in _SOCIAL for t in tokens):
            return "social", text
        if state.last is None:
            return "new", text
        checker = self.assistant.checker
        own = checker.check(text, language=state.language)
        names_activity = any(f.rule_id or f.verdict == "needs_info" for f in own.findings)
        audience = self.assistant.matcher.audiences_in(tuple(tokens))
        content = checker.content_words(_ELLIPSIS_START.sub("", text))
        if audience and not names_activity and len(content) <= 2:
            target = state.pending or state.last
            return "audience", f"{target} {text}"
        if own.topics and not names_activity and _BACK_REFERENCE.search(text):
            return "reference", f"{text} ({state.last})"
        if names_activity:
            return "new", text
        short = 0 < len(content) <= MAX_ELLIPSIS_WORDS
        if short and (_ELLIPSIS_START.match(text) or text.rstrip().endswith("?")):
            fragment = _ELLIPSIS_START.sub("", text).strip(" ?!.")
            for candidate in (f"{fragment} {words(state.last)[-1]}", f"{fragment} {state.last}"):
                found = checker.check(candidate, language=state.language).findings
                if any(f.rule_id for f in found):
                    return "ellipsis", candidate
        return "new", text

