"""Text helpers: input validation, normalisation (case, umlauts, punctuation) and fuzzy word matching."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from assistant.errors import InputError

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "’": "'", "‘": "'"})
_NON_WORD = re.compile(r"[^a-z0-9]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060\ufeff]")
# German inflection endings allowed after a word matched at the end of a compound.
INFLECTIONS = ("", "s", "e", "n", "en", "es", "er", "ern", "ns", "nen")
INFLECTION_SET = frozenset(INFLECTIONS)
# a German plural that turns the last vowel into an umlaut ("Vertrag" → "Verträge", "Stuhl" → "Stühle", "Raum" →
# "Räume", folded "ae"/"oe"/"ue"), and the endings it takes
_UMLAUT_VOWEL = re.compile(r"(aa|au|a|o|u)([^aeiouy]+)$")
_UMLAUTED = {"aa": "ae", "au": "aeu", "a": "ae", "o": "oe", "u": "ue"}
UMLAUT_ENDINGS = frozenset({"e", "er", "en", "ern"})
# Beginnings of everyday words that start with a shorter word of a term but are another word: a token beginning with one
# of these does not match that shorter word as a prefix ("example" is no "exam", „vereinbart" no „Verein", „lohnt
# sich" no „Lohn", "standard" no "stand"). Origin: an audit of every word of the training corpus and the own and
# retired eval sets that begins with a one-word term (session 16), judged by their meaning in a dictionary; folded.
OTHER_WORDS = ("automat", "autopilot", "automotive", "bestell", "besteh", "branche", "championship", "exampl", "export",
               "fundament", "guideline", "freelanc", "internet", "internation", "kaufmaenn", "lohnt", "officer",
               "salesforce", "showroom", "standard", "standort", "standing", "standleitung", "staffel", "storey",
               "switchboard", "telefonie", "telefonanlage", "telefonnummer", "telefonkonferenz", "ticketsystem",
               "ticketing", "vereinbar", "vereinfach", "vereinig", "vereinheitlich", "vereinzel", "mailbox", "mailserver",
               "printer", "dealership", "expertise", "digitalis", "piloten", "konferenzraum", "konferenztisch", "promot",
               # session 23, from a new user's trial: „Belegschaft" (the staff) is no „Beleg" (proof), „Belegung" none
               "belegschaft", "belegung")


def clean_question(raw: object, max_chars: int) -> str:
    """Return the question as clean text, or raise InputError saying what to change.

    Policy: a question is text of 1..max_chars characters after control characters are
    removed; binary data (NUL bytes, undecodable bytes, mostly non-printable) is refused.
    """
    if isinstance(raw, bytes):
        if b"\x00" in raw:
            raise InputError("The question looks like binary data, not text. Please type or paste the question as text.",
                             "binary")
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError("The question is not valid UTF-8 text. Please paste it as plain text.", "encoding") from exc
    if not isinstance(raw, str):
        raise InputError("The question must be a text string.", "type")
    if "\x00" in raw or (raw and sum(1 for ch in raw if _CONTROL.match(ch)) > 0.1 * len(raw)):
        raise InputError("The question looks like binary data, not text. Please type or paste the question as text.",
                         "binary")
    # lone UTF-16 surrogates (e.g. JSON "\\ud800") are not text: replaced, so no tokenizer chokes on them
    raw = raw.encode("utf-8", "replace").decode("utf-8")
    text = _INVISIBLE.sub("", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text))
    text = re.sub(r"[ \t]+", " ", text).strip()
    if not text:
        raise InputError("The question is empty. Please describe the activity you want to pay for with Co-op funds.",
                         "empty")
    if len(text) > max_chars:
        raise InputError(
            f"The question has {len(text):,} characters; the limit is {max_chars:,}. "
            "Please shorten it to the activities you want checked, or send them as several questions.",
            "too_long", length=len(text), limit=max_chars,
        )
    return text


def clean_history(raw: object, max_chars: int, max_turns: int, max_total: int) -> list[str]:
    """Return a conversation's earlier user messages (oldest first) as clean text, or raise InputError saying what
    to change.

    Policy (the contract's `history`, from the API and the batch): a list of at most `max_turns` strings, each a
    question by `clean_question`'s policy (`max_chars`), `max_total` characters in all; a blank message adds nothing
    and is left out. Every earlier message is read again for each answer, so the bounds keep one request's work
    bounded (a 116 KB history took 36 s of CPU, session 23's trial); a message over the limit is refused, not
    dropped, so nothing the caller sent is silently lost. An item's error names its position (1 = oldest).
    """
    if not isinstance(raw, list) or not all(isinstance(turn, str) for turn in raw):
        raise InputError("'history' must be a list of earlier user messages (strings), oldest first.", "history_type")
    if len(raw) > max_turns:
        raise InputError(f"The history has {len(raw):,} messages; the limit is {max_turns:,}. Send the last "
                         f"{max_turns:,} messages of the conversation, oldest first.", "history_turns",
                         length=len(raw), limit=max_turns)
    turns: list[str] = []
    for position, turn in enumerate(raw, 1):
        if not turn.strip():
            continue
        try:
            turns.append(clean_question(turn, max_chars))
        except InputError as exc:
            raise InputError(f"History message {position}: {exc}", exc.code, **exc.params, turn=position) from exc
    total = sum(map(len, turns))
    if total > max_total:
        raise InputError(f"The history has {total:,} characters; the limit is {max_total:,}. Send only the messages "
                         "that lead up to the question, oldest first.", "history_chars", length=total, limit=max_total)
    return turns


def recent_history(turns: list[str], max_turns: int, max_total: int, max_chars: int | None = None) -> list[str]:
    """The latest messages of `turns` (oldest first) that `clean_history`'s bounds admit: at most `max_turns`
    messages and `max_total` characters. The chat's own long conversations read their most recent part.

    A message `clean_question` refuses (binary data, nothing but blanks; over `max_chars` when given) is left out: it
    got its own error reply when it was sent and adds nothing to the conversation (session 28, a new user's trial: one
    garbled chat message made every later answer an error, also after reopening the thread). The contract's `history`
    (API, batch) is the caller's and stays refused whole with what to change (`clean_history`)."""
    readable = [t for t in turns if _accepted(t, max_chars)]
    kept: list[str] = []
    total = 0
    for turn in reversed(readable[-max_turns:]):
        total += len(turn)
        if total > max_total:
            break
        kept.append(turn)
    return kept[::-1]


def _accepted(turn: str, max_chars: int | None) -> bool:
    """Whether `clean_question` takes `turn` as a question (`max_chars` None: no length limit)."""
    try:
        clean_question(turn, len(turn) + 1 if max_chars is None else max_chars)
    except InputError:
        return False
    return True


def fold(text: str) -> str:
    """Lower-case, fold umlauts and ß, keep other characters."""
    return unicodedata.normalize("NFKC", text).lower().translate(_FOLD)


@lru_cache(maxsize=1 << 16)
def normalize(text: str) -> str:
    """Fold and reduce to space-separated ASCII words (hyphens and punctuation become spaces). Memoised (bounded): the
    checker reads the same message, sentence and piece many times over."""
    folded = unicodedata.normalize("NFKD", fold(text))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", folded).strip()


def words(text: str) -> list[str]:
    return normalize(text).split()


def damerau_levenshtein(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance, cut off early once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@lru_cache(maxsize=50_000)
def umlaut_plural(word: str) -> str | None:
    """The stem of the folded word's plural with an umlaut ("vertrag" → "vertraeg", "raum" → "raeum"), or None for a
    word under four letters or whose last vowel is none that takes one."""
    m = _UMLAUT_VOWEL.search(word) if len(word) >= 4 else None
    return word[:m.start()] + _UMLAUTED[m.group(1)] + m.group(2) if m else None


def word_matches(token: str, word: str, fuzzy: bool = True) -> bool:
    """Does a text token match one word of a trigger term?

    Policy: short words (≤3 letters: "ad", "seo", "poc") must match exactly or with a
    plural s; longer words match as a prefix (inflection: "anzeige" → "anzeigen"), unless the token begins with
    another word (`OTHER_WORDS`: "example" is no "exam"); words of
    5+ letters also match as the head of a German compound ("zeitungsanzeigen"); words of
    7+ letters tolerate one typo (two from 14 letters), so "zertifizierung" finds
    "zertifzierung" (shorter words do not: "posten" is not "poster"); the start of a longer token (an inflected or
    compounded word) one typo; a German plural with an umlaut matches its singular ("vertraege" → "vertrag").
    """
    if len(word) <= 3:
        return token == word or token == word + "s"
    if token.startswith(word):
        return token == word or not any(len(o) > len(word) and token.startswith(o) and o.startswith(word)
                                        for o in OTHER_WORDS)
    if len(word) >= 5:
        at = token.rfind(word)
        if at > 2 and token[at + len(word):] in INFLECTION_SET:
            return True
    plural = umlaut_plural(word)
    if plural is not None:
        # "vertraege" is "vertrag", and "handyvertraege" a compound of it (its head of five letters or more)
        at = token.rfind(plural)
        if (at == 0 or (at > 2 and len(word) >= 5)) and token[at + len(plural):] in UMLAUT_ENDINGS:
            return True
    if fuzzy and len(word) >= 7 and token[:1] == word[:1]:
        limit = 2 if len(word) >= 14 else 1
        if damerau_levenshtein(token, word, limit) <= limit:
            return True
        # an inflected or compounded token with a typo: its start, as long as the word give or take the letter a typo
        # adds or drops, one typo off ("zertifzierungen"); two would let a compound's other half pass
        # ("mitarbeiterausflug" is no "mitarbeiterkauf")
        if len(word) >= 9 and len(token) > len(word) and any(
                damerau_levenshtein(token[:n], word, 1) <= 1 for n in (len(word) - 1, len(word), len(word) + 1)):
            return True
    return False
