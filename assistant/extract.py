"""Split a message into candidate activities, detect its language and injected instructions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text import words

# Instructions aimed at the assistant instead of a question about an activity. Matched
# spans are cut out; what is left is checked like any other text.
INJECTION = re.compile(
    r"\b(ignor\w*|vergiss|vergessen|missachte\w*|disregard|forget|override|überschreib\w*|bypass|umgehe\w*)"
    r"\W+(?:\w+\W+){0,4}?(rules?|regeln|instructions?|anweisungen|vorgaben|prompts?|guidelines|richtlinien|leitlinien|guidance|"
    r"checks?|prüfungen|guardrails?)\b"
    r"|\b(system|developer|admin|assistant)\s*(prompt|mode|modus|message|nachricht)?\s*:"
    r"|\b(developer|entwickler|god|jailbreak|dan|admin)[\s-]*(mode|modus)\b"
    r"|\b(say|answer|respond|reply|antworte\w*|sag\w*|schreib\w*|write)\s+(?:\w+\s+){0,2}?[\"'„“]?"
    r"(yes|ja|eligible|förderfähig|berechtigt)\b[\"'“”]?"
    r"|\[(admin|system|developer|root|sudo)\]"
    r"|\b(print|show|reveal|display|output|zeig\w*|gib)\s+(?:\w+\s+){0,3}?(system\s*prompt|prompt|instructions|"
    r"anweisungen)\b"
    r"|\b(disable|deactivate|turn off|deaktivier\w*|schalte?)\s+(?:\w+\s+){0,2}?(handoff|hand-off|übergabe|guard|"
    r"checks?|filter)\b(\s+(aus|ab))?"
    r"|\b(answer|antworte\w*|respond)\s+(as if|als ob|als wäre|so,? als)\b"
    r"|\b(bestätige\w*|confirm|mark|markiere\w*|classify|klassifizier\w*|stufe)\s+(?:\w+\s+){0,3}?(als|as)\s+"
    r"(eligible|förderfähig|berechtigt|approved|genehmigt|zulässig)\b(\s+ein)?"
    r"|\b(mode|modus)\s+(on|an|aktiv\w*|enabled)\b"
    r"|\b(rules|regeln|instructions|anweisungen)\s+(you|du|sie)\s+(use|follow|verwendest|nutzt|befolgst|verwenden)\b"
    r"|\b(es gibt|there are|there is)\s+(jetzt\s+|now\s+)?(keine|no)\s+(\w+\s+)?(ausschlüsse|regeln|einschränkungen|"
    r"exclusions|rules|restrictions|limits)(\s+mehr)?\b|\bab jetzt( gilt)?\b"
    r"|\b(sag|say|tell|bestätige|confirm)\w*(\s+(mir|me|uns|us|einfach|just|simply))*,?\s+(dass|that)\b"
    r"|\bohne (einschränkungen|regeln|filter)\b|\bwithout (restrictions|rules|filters)\b"
    r"|\byou are now\b|\bdu bist (jetzt|nun|ab sofort)\b|\bfrom now on\b|\bab sofort\b|\bpretend\b"
    r"|\btu so,? als\b|\bact as\b"
    r"|\b(all|every|alle|jede)\w*\s+(activities|activity|aktivitäten|ausgaben|expenses|requests?|anfragen)\s+"
    r"(are|sind|is|ist)\s+(now\s+|jetzt\s+)?(eligible|berechtigt|förderfähig|erlaubt|approved|genehmigt)\b",
    re.IGNORECASE,
)

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
_BULLET = re.compile(r"^\s*(?:[-*•·–]|\d+[.)])\s+")
_COMMA = re.compile(r"(?<!\d),(?!\d)\s*")
# A clause opened by one of these describes the activity before it ("…, um … zu bewerben").
_SUBORDINATE = re.compile(
    r"^(um|damit|bevor|nachdem|weil|da|dass|sodass|wobei|indem|denen|dessen|deren|welche\w*|"
    r"(der|die|das|den|dem)\s+(der|die|das|den|dem|ein\w*|bei|mit|für|wir|sie|er|es|ihr|unser\w*|sich|auf|in|im|von|"
    r"zu|zum|zur|an|am|nicht|auch|sowohl)|"
    r"wo|in dem|in der|mit dem|mit der|mit denen|über den|über die|so that|to|which|that|who|where|because|before|"
    r"after|while|so|in order to|including|inkl|z\.?\s?b)\b",
    re.IGNORECASE,
)
_SPLIT = re.compile(
    r"\s+(?:und|and|sowie|oder|or|plus|&|bzw\.?|as well as|außerdem|ausserdem|also|zudem|"
    r"zusätzlich|additionally|another|noch|dann|then)\s+|\s*/\s*|\s+\+\s+",
    re.IGNORECASE,
)
# Words that ask whether something may be paid with Co-op ("asks"); a "?" makes a piece a question.
_PAY_FRAME = re.compile(
    r"bezahl|\bzahl|finanzier|abrechn|abrechen|abgerechnet|förderfähig|foerderfaehig|erstatt|berechtigt|"
    r"[\w-]*fähig\b|[\w-]*faehig\b|\bpay|\bfund(ed|ing|s)?\b|eligib|cover|reimburs|allowed|erlaubt|zulässig|\bdecken|"
    r"\bnutzen\b|\bverwenden|einsetzen|\buse\b|\bspend|\bkosten|\bcosts?\b|\bgeht (das|es)\b|\bok\b|okay",
    re.IGNORECASE,
)
_WH_START = re.compile(
    r"^\W*(what|how|which|when|where|who|why|was|wie|welche\w*|wann|wo|wer|warum|wozu|wofür|worauf)\b", re.IGNORECASE
)
_DE_HINTS = {
    "und", "oder", "wir", "ich", "können", "koennen", "kann", "dürfen", "darf", "mit", "für", "fuer", "unsere",
    "unser", "eine", "einen", "ein", "der", "die", "das", "ist", "sind", "bezahlen", "über", "ueber", "wie",
    "welche", "nicht", "auch", "zu", "den", "dem", "im", "auf", "geht", "abrechnen", "bitte", "kunden", "hallo",
}
_EN_HINTS = {
    "and", "or", "we", "i", "can", "could", "may", "with", "for", "our", "a", "an", "the", "is", "are", "pay",
    "use", "how", "which", "not", "also", "to", "of", "in", "on", "do", "does", "eligible", "funds", "what",
    "please", "customers", "hello", "hi", "it", "this", "that",
}


@dataclass(frozen=True)
class Piece:
    """A candidate activity: its text as written, the sentence it came from, and whether that sentence asks."""

    text: str
    sentence: str
    asks: bool
    question: bool = False
    injected: bool = False


def detect_language(text: str) -> str:
    """'de' or 'en' by common function words; umlauts and ß count for German; ties go to German."""
    raw = [t.strip(".,;:!?()\"'") for t in text.lower().split()]
    de = sum(1 for t in raw if t in _DE_HINTS) + 2 * len(re.findall(r"[äöüß]", text.lower()))
    en = sum(1 for t in raw if t in _EN_HINTS)
    return "en" if en > de else "de"


def is_injection(sentence: str) -> bool:
    return INJECTION.search(sentence) is not None


def split_pieces(question: str) -> tuple[list[Piece], bool]:
    """Split into candidate activities after cutting out injected instructions.

    Returns the pieces and whether an injection attempt was seen.
    """
    pieces: list[Piece] = []
    seen = False
    for sentence in _SENTENCE.split(question):
        cleaned, count = INJECTION.subn(" ", sentence)
        seen = seen or count > 0
        sentence = _BULLET.sub("", cleaned).strip(" -–:;.,")
        if not sentence or not words(sentence):
            continue
        asks = _PAY_FRAME.search(sentence) is not None
        question_mark = "?" in sentence or _WH_START.match(sentence) is not None
        clauses: list[str] = []
        for clause in _COMMA.split(sentence):
            if clauses and _SUBORDINATE.match(clause.strip()):
                clauses[-1] += ", " + clause
            else:
                clauses.append(clause)
        for clause in clauses:
            for part in _SPLIT.split(clause):
                part = part.strip(" -–:;.,!?\"'()[]")
                if part and words(part):
                    pieces.append(Piece(part, sentence, asks, question_mark, count > 0))
    return pieces, seen
