"""Compiled trigger terms: "word word" phrases, "a + b" combinations and "a|b" alternatives, matched on folded
tokens."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from assistant.text import umlaut_plural, word_matches, words


@lru_cache(maxsize=500_000)
def _word_matches(token: str, word: str, fuzzy: bool = True) -> bool:
    return word_matches(token, word, fuzzy)


@lru_cache(maxsize=20_000)
def _shape(tokens: tuple[str, ...]) -> tuple[str, frozenset[str]]:
    """The tokens joined by spaces and their first letters: what any match of a word needs to exist."""
    return " ".join(tokens), frozenset(t[:1] for t in tokens)


@lru_cache(maxsize=200_000)
def _positions(tokens: tuple[str, ...], word: str, fuzzy: bool) -> frozenset[int]:
    """Indices of the tokens that match `word` (cached: many terms share words).

    Every match except a typo contains the word itself (exact, prefix or compound head) or the stem of its plural with
    an umlaut, and a typo keeps its first letter (`word_matches`): a word that passes none of these tests is looked at
    no further — most of them.
    """
    joined, firsts = _shape(tokens)
    plural = umlaut_plural(word)
    if word not in joined and not (fuzzy and len(word) >= 7 and word[:1] in firsts) \
            and not (plural is not None and plural in joined):
        return frozenset()
    typo = fuzzy and len(word) >= 7
    # the same tests per token first (cheaper than asking `word_matches`, which passes no token failing them all)
    return frozenset(i for i, tok in enumerate(tokens)
                     if (word in tok or (plural is not None and plural in tok) or (typo and tok[:1] == word[:1]))
                     and _word_matches(tok, word, fuzzy))


def phrase_in(phrase: tuple[str, ...], tokens: tuple[str, ...], fuzzy: bool = True) -> bool:
    """A phrase matches consecutive tokens, or one token spelled as a compound ("print anzeige").

    The compound spelling must match without typo tolerance: "facebook ad" is not "facebook".
    """
    n = len(phrase)
    for i in _positions(tokens, phrase[0], fuzzy):
        if all(i + j in _positions(tokens, phrase[j], fuzzy) for j in range(1, n)):
            return True
    return n > 1 and bool(_positions(tokens, "".join(phrase), False))


@dataclass(frozen=True)
class Term:
    """One trigger term; every part must occur somewhere in the text."""

    raw: str
    parts: tuple[tuple[str, ...], ...]
    fuzzy: bool = True

    @property
    def needs(self) -> frozenset[str]:
        """Every word of every part: a text lacking a possible match for one of them cannot match the term."""
        return frozenset(w for part in self.parts for w in part)

    @property
    def weight(self) -> int:
        """Specificity: letters matched, plus a bonus per extra part of a combination."""
        return sum(len(w) for part in self.parts for w in part) + 3 * (len(self.parts) - 1)

    def found_in(self, tokens: tuple[str, ...]) -> bool:
        return all(phrase_in(part, tokens, self.fuzzy) for part in self.parts)


def occurrences(part: tuple[str, ...], tokens: tuple[str, ...], fuzzy: bool) -> list[tuple[int, int]]:
    """Where the words of one term part occur in `tokens`, as (start, end) token indices: the words one after another,
    or one token spelled as their compound (matched without typo tolerance, as `phrase_in`)."""
    n = len(part)
    found = [(i, i + n) for i in sorted(_positions(tokens, part[0], fuzzy))
             if all(i + j in _positions(tokens, part[j], fuzzy) for j in range(1, n))]
    if n > 1:
        found += [(i, i + 1) for i in sorted(_positions(tokens, "".join(part), False))]
    return found


def spans(term: Term, tokens: tuple[str, ...]) -> frozenset[int]:
    """The indices of the tokens where the parts of `term` occur (`occurrences`)."""
    return frozenset(k for part in term.parts for start, end in occurrences(part, tokens, term.fuzzy)
                     for k in range(start, end))


def compile_term(raw: str, fuzzy: bool = True) -> Term:
    parts = tuple(tuple(words(p)) for p in raw.split(" + "))
    if not parts or any(not p for p in parts):
        raise ValueError(f"term {raw!r} has an empty part")
    return Term(raw, parts, fuzzy)


# texts whose found terms a `TermSet` keeps (then it forgets them all and starts again)
FOUND_KEPT = 4096


class TermSet(tuple[Term, ...]):
    """Compiled terms (a tuple of `Term`) with what `hits` needs to skip most of them in one set operation: each
    term's words (their union joins the process-wide `_VOCABULARY`)."""

    needs: tuple[frozenset[str], ...]
    # each term filed under one of its words (its longest): `hits` looks only at the terms filed under a word the text
    # may match, not at every term of the set
    by_anchor: dict[str, tuple[int, ...]]
    # the indices found per text (`hit_indices`): the checker asks a list about the same words again and again
    found: dict[tuple[str, ...], tuple[int, ...]]

    def __new__(cls, terms: tuple[Term, ...]) -> TermSet:
        global _VOCABULARY
        made = super().__new__(cls, terms)
        made.needs = tuple(t.needs for t in terms)
        filed: dict[str, list[int]] = {}
        for i, need in enumerate(made.needs):
            filed.setdefault(max(sorted(need), key=len), []).append(i)
        made.by_anchor = {w: tuple(ids) for w, ids in filed.items()}
        made.found = {}
        own = frozenset(w for n in made.needs for w in n)
        if not own <= _VOCABULARY.words:
            _VOCABULARY = _Vocabulary(_VOCABULARY.words | own)
        return made


class _Vocabulary:
    """The words of every `TermSet` compiled in this process, indexed so that the ones a text may match are found in
    one pass over the text (by their first three letters), not by trying each word: the matcher asks some 150 term
    lists about the same text."""

    def __init__(self, vocabulary: frozenset[str]) -> None:
        self.words = vocabulary
        self.short = tuple(w for w in vocabulary if len(w) < 3)
        self.by_start: dict[str, list[str]] = {}
        self.plural_of: dict[str, list[str]] = {}  # a plural's stem → the words it is the plural of
        long_by_first: dict[str, list[tuple[int, str]]] = {}
        for w in sorted(vocabulary):
            if len(w) >= 3:
                self.by_start.setdefault(w[:3], []).append(w)
            plural = umlaut_plural(w)
            if plural is not None:  # "vertraege" holds no "vertrag": found by its plural's stem
                self.by_start.setdefault(plural[:3], []).append(plural)
                self.plural_of.setdefault(plural, []).append(w)
            if len(w) >= 7:
                long_by_first.setdefault(w[:1], []).append((len(w), w))
        # per first letter, the long words by length and their lengths: the ones a token may be a typo of are a prefix
        self.long_by_first = {first: ([n for n, _ in pairs], [w for _, w in pairs])
                              for first, pairs in ((f, sorted(p)) for f, p in long_by_first.items())}

    def possible(self, joined: str, longest: dict[str, int]) -> frozenset[str]:
        """`_possible` over these words: the ones `joined` contains (or the stem of their plural with an umlaut), and
        those of 7+ letters a token of the same first letter is long enough to be a typo of."""
        found = {w for w in self.short if w in joined}
        for i in range(len(joined) - 2):
            for w in self.by_start.get(joined[i:i + 3], ()):
                if joined.startswith(w, i):
                    if w in self.words:
                        found.add(w)
                    found.update(self.plural_of.get(w, ()))
        for first, length in longest.items():
            lengths, long_words = self.long_by_first.get(first, ((), ()))
            found.update(long_words[:bisect_right(lengths, length + 2)])
        return frozenset(found)


_VOCABULARY = _Vocabulary(frozenset())


def alternatives(raw: str) -> list[str]:
    """The terms a term with alternatives stands for: "reise|flug + belohnung|dankeschön" is "reise + belohnung",
    "reise + dankeschön", "flug + belohnung" and "flug + dankeschön" (every part one of its "|"-separated words) — a
    slot of the rule data written once (a trip × a reward), not as every pair."""
    combos = [""]
    for part in raw.split(" + "):
        combos = [f"{c} + {a.strip()}" if c else a.strip() for c in combos for a in part.split("|")]
    return combos


def compile_terms(raws: list[str], fuzzy: bool = True) -> tuple[Term, ...]:
    """Compiled terms ("a b" phrases, "a + b" combinations, "a|b" alternatives expanded by `alternatives`), in order."""
    return TermSet(tuple(compile_term(t, fuzzy) for r in raws for t in alternatives(r)))


@lru_cache(maxsize=20_000)
def _possible(tokens: tuple[str, ...], vocabulary: _Vocabulary) -> frozenset[str]:
    """The words of `vocabulary` that some token may match (`word_matches`): every match but a typo contains the word
    (exact, prefix, compound head, a compound spelling of a phrase), and a typo keeps the first letter and the length
    within two — the same test `_positions` starts with, done for every term list at once. Cached per text and
    vocabulary (a vocabulary that grew is a new object, so no stale answer)."""
    joined, _ = _shape(tokens)
    longest: dict[str, int] = {}
    for t in tokens:
        longest[t[:1]] = max(longest.get(t[:1], 0), len(t))
    return vocabulary.possible(joined, longest)


def hits(terms: tuple[Term, ...], tokens: tuple[str, ...]) -> list[Term]:
    """The terms found in `tokens` (folded words), in their order. A `TermSet` first sets aside the terms one of whose
    words no token may match (most of them), by the words of all term sets a text may match (`_possible`, found once
    per text); a plain tuple is tried term by term."""
    if not isinstance(terms, TermSet):
        return [t for t in terms if t.found_in(tokens)]
    return [terms[i] for i in hit_indices(terms, tokens)]


def hit_indices(terms: TermSet, tokens: tuple[str, ...]) -> list[int]:
    """`hits` as the found terms' indices in `terms`, ascending: one pass over a set that joins many lists (the
    matcher's rules' terms, `Matcher.lexical_hits`) finds every list's terms at once."""
    kept = terms.found.get(tokens)
    if kept is not None:
        return list(kept)
    possible = _possible(tokens, _VOCABULARY)
    anchors = terms.by_anchor
    shared = [w for w in anchors if w in possible] if len(anchors) < len(possible) else \
        [w for w in possible if w in anchors]
    candidates = sorted(i for w in shared for i in anchors[w])
    found = tuple(i for i in candidates if terms.needs[i] <= possible and terms[i].found_in(tokens))
    if len(terms.found) >= FOUND_KEPT:
        terms.found.clear()
    terms.found[tokens] = found
    return list(found)
