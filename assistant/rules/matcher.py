"""The deterministic matcher: decides one activity against the rule base and says why.

Policy (in this order):
1. an exclusion whose terms occur decides "not_eligible" — exclusions win over everything;
2. a "not covered" term (salaries, office rent, donations…) decides "unclear"; a cost word (rent, power, cleaning,
   furniture — rule data `cost_words`) only where no eligible activity or allowance is named by its terms, whose
   cost it then is („Standmiete und Strom für den Messestand");
3. an allowance decides "eligible" (category none) — allowances win over the eligible list;
4. the eligible activity with the most specific matching term decides "eligible"; a web page after a preposition of
   place is where another activity runs (rule data `place_terms`), and a rule's `topic_terms` after a preposition of
   topic name what another activity is about ("ein Webinar zur Azure-Migration") — they decide only when nothing
   else in the activity does ("Co-op für Migrationen?"), and never inside a frame (`TOPIC_FRAMES`: what is shown or
   promoted, a time frame, the customer's own switch: "anyone who switches to Microsoft 365 gets …");
   rules for one audience (customer / internal) are set aside when the activity names
   only the other audience, and their ambiguous words ("workshop", "training") count
   only when the audience is named; named by neither → "needs_info";
5. with a learned recogniser (`assistant.nlu`): a term match for an eligible activity or allowance
   stands only when the recogniser does not read the activity or its sentence as "not Co-op
   marketing" (`none`) with probability >= `none_veto` (see `p_not_marketing`; read by `veto`, the recogniser
   learned without question-frame words) — a generic word never decides "eligible" alone ("SMS" in a phone
   bill); such text is "unclear" (reason "not-marketing"); a term match yields to the recogniser when it reads
   the whole activity as another rule with probability >= `learned_min` ("a quarter page in the Saturday
   edition the newspaper offered us" is a print ad, not a customer offer); and a match of one-word terms stands
   only when the recogniser, reading the activity's words, does not read them as "none" with the term's rule
   below `corroborate_min` ("the champion gets a trophy" is "unclear");
6. with no term match, the recogniser may decide a rule when its probability reaches `learned_min` and the
   activity has two words or more besides the question frame, numbers and fragments of two letters ("we've")
   (a single word never decides alone), reading the activity without the audience words (who it is for is a
   slot, not the activity: "our own internal dev subscription" names no activity); a weaker reading (at least
   `learned_asked_min`) decides only an activity the message asks about (`asked`) in a message that names a
   Microsoft offering (the slot "what it promotes" filled, not only not contradicted) or a platform the rule read
   runs on (rule data `channels`: "a LinkedIn campaign"), whose sentence, read whole,
   reads the same rule and which the none-veto of step 5 does not set aside, read without amounts and counts
   ("a trial environment in Azure so the prospect sees his software run before he buys" is a proof of
   concept; "demo videos" cut from "whitepapers and demo videos" in a sentence about a content feed is not
   product seeding);
   audience rules still need their audience, else "needs_info";
7. otherwise the semantic fallback (if given) may decide over the rules' example phrasings;
8. otherwise "unclear": no rule of the guidance decides it;
9. the slot "what it promotes": an "eligible" or "needs_info" decision becomes "unclear" (reason
   "purpose") when the activity or the text around it names a purpose that is not Co-op marketing of
   Microsoft offerings — recruiting, a private matter, another organisation, another vendor's offering
   (unless a Microsoft offering is named there too) — by its words (rule data `purposes:`) or, failing them, by
   the learned purpose reader (`purpose_reader`, "off" with probability >= `purpose_min`: a birthday ad, a golf
   club's website); for a rule whose guidance wording names Microsoft, and for a weaker reading of step 6, a lean
   ("off" >= `MICROSOFT_OWN_OFF`) is enough. Before the purpose, the slot "who it is for": an "eligible" decision
   of a rule for customers and prospects (rule data `for_whom: customers`) whose activity names only the partner's
   own staff, or of a rule for the partner's staff (`for_whom: staff`) that names only customers, with nothing
   around it naming the rule's own audience, becomes "unclear" (reason "purpose", purpose "own-staff"/"customers").
   An exclusion still wins: it is a verdict of its own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from assistant.extract import PARENS
from assistant.rules.loader import RuleBase
from assistant.rules.schema import Rule
from assistant.rules.terms import Term, TermSet, compile_terms, hit_indices, hits, occurrences, phrase_in, spans
from assistant.text import INFLECTION_SET, words

Outcome = Literal["eligible", "not_eligible", "unclear", "needs_info"]
OFF = "off"  # the purpose reader's label for "not about the partner's Microsoft/IT business"


@dataclass(frozen=True)
class Decision:
    """The matcher's verdict on one activity, with what decided it."""

    verdict: Outcome
    rule: Rule | None = None
    matched_by: Literal["lexical", "learned", "semantic", "none"] = "none"
    terms: tuple[str, ...] = ()
    confidence: float = 0.5
    candidates: tuple[str, ...] = ()
    reason: str = "no-rule"  # no-rule | not-covered | not-marketing | purpose | label | ambiguous-audience | rule
    purpose: str = ""  # with reason "purpose": the id of the purpose found (rule data `purposes:`)
    weak: bool = False  # decided by step 6's weaker reading (an asked activity, its sentence agreeing)


class Reader(Protocol):
    def read(self, text: str, top: int = 3) -> Any:
        """A Recognition (assistant.nlu.recognizer): labels by probability and the deciding features."""


class SemanticFallback(Protocol):
    def best(self, text: str) -> tuple[Rule, float, float] | None:
        """Best rule for `text`, its similarity and the margin to the next different rule."""


@dataclass
class _Compiled:
    rule: Rule
    terms: tuple[Term, ...]
    ambiguous: tuple[Term, ...]
    places: frozenset[str] = frozenset()  # raw terms that may name the place another activity runs on


@dataclass
class Matcher:
    """Compiled rule base (in force: the guidance edition is checked at start); `decide` is pure and deterministic."""

    base: RuleBase
    semantic: SemanticFallback | None = None
    learned: Reader | None = None
    none_veto: float = 0.6
    learned_min: float = 0.6
    purpose_reader: Reader | None = None
    purpose_min: float = 0.7
    veto: Reader | None = None  # the recogniser learned without question-frame words (step 5); else `learned`
    corroborate_min: float = 0.2
    learned_asked_min: float = 1.0  # step 6's weaker reading for an asked activity; 1.0 = off
    _rules: list[_Compiled] = field(init=False)
    _not_covered: list[tuple[str, tuple[Term, ...]]] = field(init=False)
    _audiences: dict[str, tuple[Term, ...]] = field(init=False)
    _audience_heads: dict[str, tuple[str, ...]] = field(init=False)
    _audience_starts: tuple[str, ...] = field(init=False)
    _false_start: Callable[[str], bool] = field(init=False)
    _purposes: list[tuple[str, bool, tuple[Term, ...]]] = field(init=False)
    _offerings: tuple[Term, ...] = field(init=False)
    _audience_open: tuple[Term, ...] = field(init=False)
    _topics: dict[str, frozenset[str]] = field(init=False)  # rule id → raw terms that may name another one's topic

    def __post_init__(self) -> None:
        self._rules = [
            _Compiled(r, compile_terms(r.terms.all()), compile_terms(r.ambiguous_terms.all()),
                      frozenset(r.place_terms.all()))
            for r in self.base.rules
        ]
        # every rule's terms and ambiguous terms in one set, each with its rule's index and whether it is ambiguous:
        # `lexical_hits` finds them all in one pass over the message, not in one per list
        self._rule_terms = TermSet(tuple(t for c in self._rules for t in (*c.terms, *c.ambiguous)))
        self._rule_owner = tuple((n, vague) for n, c in enumerate(self._rules)
                                 for vague, terms in ((False, c.terms), (True, c.ambiguous)) for _ in terms)
        self._topics = {r.id: frozenset(r.topic_terms.all()) for r in self.base.rules if r.topic_terms.all()}
        # the formats that wait for their audience (the ambiguous terms of the rules for one audience: workshop,
        # training, course, „Kurs“ …): another rule's activity right before one is what it teaches (`_taught`)
        formats = sorted({t for r in self.base.rules if r.audience != "any" for t in r.ambiguous_terms.all()})
        self._formats = compile_terms(formats)
        self._format_heads = tuple(w for w in formats if " " not in w and len(w) >= 4)
        # blockers match exactly (no typo tolerance): "stationed" must not read as "Stadion"
        self._not_covered = [(n.id, compile_terms(n.terms.all(), fuzzy=False)) for n in self.base.not_covered]
        self._cost_words = [(n.id, compile_terms(n.cost_words.all(), fuzzy=False)) for n in self.base.not_covered
                            if n.cost_words.all()]
        self._sectors = {n.id: frozenset(n.sectors.all()) for n in self.base.not_covered if n.sectors.all()}
        # … a profession is nobody's staff: „Steuerberater“ is no „Berater“ of ours (`_audience_tokens`)
        self._sector_terms = compile_terms([t for n in self.base.not_covered for t in n.sectors.all()], fuzzy=False)
        self._audiences = {k: compile_terms(v.all(), fuzzy=False) for k, v in self.base.audiences.items()}
        # names and purpose words match exactly: "sap" must not read as "spa"
        self._purposes = [(p.id, p.waived_by_offering, compile_terms(p.terms.all(), fuzzy=False))
                          for p in self.base.purposes]
        self._offerings = compile_terms(self.base.offerings.all(), fuzzy=False)
        self._audience_open = compile_terms(self.base.audience_open.all(), fuzzy=False)
        one_word = self.base.audience_one_words
        # the stems a word may begin with: not an inflected form of another ("interne" is "intern" + "e")
        self._audience_starts = tuple(sorted(w for w in one_word if len(w) >= 4 and not any(
            w != v and w.startswith(v) and w[len(v):] in _FORMS for v in one_word)))
        self._false_start = functools.lru_cache(maxsize=1 << 16)(self._is_false_start)
        # a sentence's folded, expanded words: `decide` reads them for every piece of the sentence (`denied_before`)
        self._sentence_words = functools.lru_cache(maxsize=4096)(lambda s: tuple(words(self.base.expand(s))))
        # one-word audience terms of five letters or more, found inside German compounds
        self._audience_heads = {k: tuple(w[0] for w in (words(t) for t in v.all()) if len(w) == 1 and len(w[0]) >= 5)
                                for k, v in self.base.audiences.items()}

    @property
    def rules(self) -> list[Rule]:
        return [c.rule for c in self._rules]

    def audiences_in(self, tokens: tuple[str, ...]) -> set[str]:
        """Audiences named in the tokens: by their terms, or as the head of a German compound
        ("Vertriebsmitarbeiter" → internal, "Geschäftskunden" → customer). A word that only begins like an audience
        word names none ("international", "personalised": `_false_start`), and neither does a word of a Microsoft
        offering's name ("unserer Teams-Telefonie", "our Teams Phone offering": the product, not our teams)."""
        return self._audiences_of(self._audience_tokens(tokens))

    def _audiences_of(self, tokens: tuple[str, ...]) -> set[str]:
        """`audiences_in` for tokens already set apart by `_audience_tokens`."""
        return {name for name, terms in self._audiences.items()
                if hits(terms, tokens) or any(_compound_head(tok, self._audience_heads[name], self.base.vocabulary)
                                              for tok in tokens)}

    def _audience_tokens(self, tokens: tuple[str, ...]) -> tuple[str, ...]:
        """The tokens an audience may be read from: not a Microsoft offering's name, not a false start, not a
        profession (rule data `sectors`: „Steuerberater“ is no „Berater“ of ours), not the staff of customers
        (`_customers_staff`)."""
        kept = tuple(t for t in _without_offerings(tokens, hits(self._offerings, tokens)) if not self._false_start(t)
                     and not hits(self._sector_terms, (t,)))
        return self._customers_staff(kept)

    def _customers_staff(self, tokens: tuple[str, ...]) -> tuple[str, ...]:
        """The tokens without staff words that name the staff of customers: after a customer word ("our customers' IT
        staff", "the client's sales team") or before one with of/der/unserer … ("the employees of our customers", „die
        Mitarbeiter unserer Kunden“). Such staff are the customers' people, the audience is the customers (not
        "bei"/"at": „unsere Techniker beim Kunden“ are the partner's own)."""
        customer, staff = self._audiences.get("customer", ()), self._audiences.get("internal", ())
        if not customer or not hits(staff, tokens):
            return tokens
        is_customer = [bool(hits(customer, (t,))) for t in tokens]
        # a staff word, or the word before one (where a two-word staff term starts: "sales team")
        is_staff = [bool(hits(staff, (t,))) or bool(hits(staff, tokens[n:n + 2])) for n, t in enumerate(tokens)]
        owned: set[int] = set()
        for n in range(len(tokens)):
            if is_customer[n]:  # "customers' IT staff", "client's sales team"
                start = n + 1 + (n + 1 < len(tokens) and tokens[n + 1] == "s")
                for k in range(start, min(start + 3, len(tokens))):
                    if tokens[k] in _LINKS_BREAK:
                        break
                    if is_staff[k]:
                        owned.update(range(start, k + 2 if k + 1 < len(tokens) and is_staff[k + 1] else k + 1))
                        break
            elif is_staff[n]:  # "the employees of our customers", „die Mitarbeiter unserer Kunden“
                k = n + 1
                while k < len(tokens) and k <= n + 2 and tokens[k] in _OF:
                    k += 1
                links = tokens[n + 1:k]
                # … of a customer, or of another organisation named after a genitive („der Stadtwerke“, "of Contoso";
                # not "of our company", „unserer Firma“)
                other = bool(links) and links[0] in _GENITIVE and not _OWN.intersection(links) and k < len(tokens) \
                    and not tokens[k].isdigit() and tokens[k] not in _OWN and not is_staff[k]
                if k > n + 1 and k < len(tokens) and (is_customer[k] or other):
                    owned.update(range(max(0, n - 1) if n and is_staff[n - 1] else n, n + 1))
        return tuple(t for n, t in enumerate(tokens) if n not in owned)

    def _is_false_start(self, token: str) -> bool:
        """Whether `token` begins with a one-word audience term and goes on with neither an inflection ending nor a
        word of the rule data's vocabulary ("intern|ational", "personal|ised"; not "intern|en", "berater|in",
        "kunden|seminare"). A token that is an audience word itself is none. Read through `_false_start`, memoised
        per token (bounded): every audience reading asks it for every word of the message."""
        if token in self.base.audience_one_words:
            return False
        rests = [token[len(w):] for w in self._audience_starts if token.startswith(w)]
        return bool(rests) and not any(r in _FORMS or _a_word(r, self.base.vocabulary) for r in rests)

    def lexical_hits(self, tokens: tuple[str, ...], audiences: set[str]) -> tuple[list[tuple[Rule, list[Term]]], list[Rule]]:
        """Rules whose terms occur (audience-checked), and audience rules left ambiguous. An audience word inside a
        Microsoft offering's name is the product, not the partner's staff ("a Microsoft Teams training" is no "team
        training"): rule terms are matched without it."""
        tokens = _without_offerings(tokens, hits(self._offerings, tokens), only=self.base.audience_words)
        decided: list[tuple[Rule, list[Term]]] = []
        ambiguous: list[Rule] = []
        by_rule: dict[int, tuple[list[Term], list[Term]]] = {}  # each rule's terms found and ambiguous ones, in order
        for i in hit_indices(self._rule_terms, tokens):
            n, is_vague = self._rule_owner[i]
            by_rule.setdefault(n, ([], []))[is_vague].append(self._rule_terms[i])
        for n in sorted(by_rule):
            c = self._rules[n]
            found, vague = by_rule[n]
            aud = c.rule.audience
            if aud != "any":
                other_only = bool(audiences) and aud not in audiences
                if other_only:
                    continue
                if vague and aud in audiences and len(audiences) == 1:
                    found = found + vague
                elif vague and not found:
                    ambiguous.append(c.rule)
            if found and c.places:
                found = [t for t in found if t.raw not in c.places or not _only_after(t, tokens, PLACE_PREPOSITIONS, PLACE_GAP)]
            if found:  # "the phone system of our telemarketing team": the word names the team, not the activity
                found = [t for t in found if not _only_before(t, tokens, GROUP_WORDS)]
            if found:
                decided.append((c.rule, found))
        return decided, ambiguous

    def purpose_of(self, tokens: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
        """The first purpose (rule data `purposes:`) the folded tokens name, with its terms found; None when
        none does, or when the only ones found are waived by a Microsoft offering named in the same tokens — unless one
        is where the activity leads to ("a migration from Microsoft 365 to Google Workspace", „der Umstieg auf AWS“:
        `_towards`), not only a word beside the offering."""
        offering = bool(self._offerings_in(tokens))
        for pid, waived, terms in self._purposes:
            found = hits(terms, tokens)
            if found and not (waived and offering and not any(_towards(t, tokens) for t in found)):
                return pid, tuple(t.raw for t in found)
        return None

    def purpose_slot(self, decision: Decision, text: str, around: str) -> Decision:
        """Step 9: an "eligible" or "needs_info" decision on `text` becomes "unclear" (reason "purpose") when
        the activity or `around` (the message without the other activities in it) names another purpose; an
        "unclear" one that no rule decided gets that purpose as its reason ("a job ad" → recruiting); an exclusion for
        one audience (rule data `for_whom`) named for the other only becomes "unclear" (purpose "<audience>-not-excluded")."""
        unexplained = decision.verdict == "unclear" and decision.reason in ("no-rule", "not-covered", "not-marketing")
        if decision.verdict == "not_eligible":
            # an exclusion for one audience does not reach the other ("eine Incentive-Reise für unsere Kunden" is no
            # internal seller award trip): the guidance does not decide it
            other, said = self._other_audience(decision, text, tuple(words(self.base.expand(f"{text} {around}"))))
            return Decision("unclear", None, decision.matched_by, said, 0.8, reason="purpose",
                            purpose=f"{other}-not-excluded") if said else decision
        if decision.verdict not in ("eligible", "needs_info") and not unexplained:
            return decision
        read = tuple(words(self.base.expand(f"{text} {around}")))
        other, said = self._other_audience(decision, text, read)
        if said:
            return Decision("unclear", None, decision.matched_by, said, 0.8, reason="purpose", purpose=other)
        # another vendor the activity itself names is not waived by an offering named elsewhere in the message ("wir
        # verkaufen neben Microsoft auch Sophos. … eine Postwurfsendung zu den Sophos-Geräten")
        found = self.purpose_of(tuple(words(self.base.expand(text)))) or self.purpose_of(read) or self._owner_of(text)
        if found is not None:
            return Decision("unclear", None, decision.matched_by, found[1], 0.8, reason="purpose", purpose=found[0])
        if unexplained or len(self.subject(read, decision.terms)) < 2:
            return decision  # no subject besides the activity to read a purpose from
        reading = self._read_purpose(read)
        p_off = reading.p(OFF) if reading is not None else 0.0
        # the guidance's wording makes the activity Microsoft's own (its certifications, conferences, programme):
        # a lean towards another subject is enough ("the PMP certification", "eine Zertifizierung nach DIN EN 1090")
        # and so is it for a weaker learned reading (step 6): less evidence of the activity, less needed against it
        needed = min(self.purpose_min, MICROSOFT_OWN_OFF) if decision.rule and (decision.rule.names_microsoft or decision.weak) \
            else self.purpose_min
        if reading is None or p_off < needed:
            return decision
        # the reader's strongest word features for "off", as far as they are content words of the message
        cues = tuple(e for e in reading.evidence if reading.label == OFF and set(e.split()) <= set(read)
                     and not set(e.split()) <= self.base.frame_set and len(e) >= 4)
        return Decision("unclear", None, decision.matched_by, cues, round(p_off, 3), reason="purpose",
                        purpose="other-topic")

    def _owner_of(self, text: str) -> tuple[str, tuple[str, ...]] | None:
        """("other-programme", the owner's words) when `text` names a partner programme by an owner that is not
        Microsoft (`PROGRAMME_OWNER`: "the HubSpot partner program", „das Partnerprogramm von Lexware“, „das
        IHK-Partnerprogramm“): another company's programme is no participation in Microsoft's. Else None. (Session 32,
        a kind from the readable negative probes: such fees were read as the AI Cloud Partner Program.)"""
        for match in PROGRAMME_OWNER.finditer(text):
            owner = match.group("before") or match.group("after") or match.group("joined")
            said = tuple(words(self.base.expand(owner)))
            if said and _OWN_PROGRAMME.isdisjoint(said) and not self.base.frame_set.issuperset(said) \
                    and not self._offerings_in(said):
                return "other-programme", (owner,)
        return None

    def _other_audience(self, decision: Decision, text: str, read: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        """The audience slot of an eligible rule (rule data `for_whom`): for a rule for customers and prospects, the
        words naming the partner's own staff ("ein Event für unsere Mitarbeiter", "a newsletter to our sales team"),
        for a rule for the partner's own staff, the words naming customers ("the AZ-900 exams of our customers") — when
        the activity names that audience as its only one and nothing around it names the rule's own ("Teams" with a
        capital is the product, `_PRODUCT_TEAMS`); with the purpose id it stands for ("own-staff", "customers").
        Else ("", ())."""
        wanted = decision.rule.for_whom if decision.verdict in ("eligible", "not_eligible") and decision.rule is not None \
            else "any"
        if wanted == "any":
            return "", ()
        other, own_audience = ("internal", "customer") if wanted == "customers" else ("customer", "internal")
        own = self._audience_tokens(tuple(words(self.base.expand(_PRODUCT_TEAMS.sub(" ", text)))))
        if self._audiences_of(own) != {other} or own_audience in self.audiences_in(read):
            return "", ()
        if other == "internal" and decision.rule is not None and decision.rule.staff_in_wording \
                and not _OWN.intersection(own):
            return "", ()  # "an employee store for Surface devices": the rule's own employees, not the partner's
        said = tuple(t.raw for t in hits(self._audiences[other], own)) or (other,)
        return ("own-staff" if other == "internal" else "customers"), said

    def subject(self, read: tuple[str, ...], terms: tuple[str, ...]) -> list[str]:
        """The content words of `read` besides the activity's own terms: what the purpose reader can read a subject
        from ("und Plakate?" names none; "Der Kegelclub unseres Chefs braucht eine Website" does)."""
        named = {w for t in terms for w in words(t)}
        return [w for w in read if len(w) > 2 and w not in self.base.frame_set and not w.isdigit() and w not in named
                and not any(w.startswith(n) or n.startswith(w) for n in named if len(n) >= 4)]

    def p_off(self, text: str) -> float:
        """How strongly the purpose reader reads `text` as about something other than Microsoft offerings (0 without
        a reader, and when a Microsoft offering is named)."""
        reading = self._read_purpose(tuple(words(self.base.expand(text))))
        return float(reading.p(OFF)) if reading is not None else 0.0

    def _read_purpose(self, read: tuple[str, ...]) -> Any:
        """The purpose reader's Recognition of the folded words without the question frame's (the reader learned
        without them); None without a reader or when a Microsoft offering is named (it promotes Microsoft). Numbers
        stay: read without them (session 32, for "Invoice line: '…, EUR 8,900.00'" read as another purpose on "8 900"),
        16 more blind cases were right but 9 more were false "eligible" on the blind negative sets."""
        if self.purpose_reader is None or self._offerings_in(read):
            return None
        return self.purpose_reader.read(" ".join(w for w in read if w not in self.base.frame_set))

    def decide(self, text: str, context: str = "", allow_semantic: bool = True, sentence: str = "",
               message: str | None = None, asked: bool = False) -> Decision | None:
        """Decide one activity (steps 1–8); `context` is the whole question, `sentence` (the one the activity stands
        in) gives the purpose the none-veto reads and the rule a weaker learned reading must share, `message` (default
        `context`; the caller's is the question without the other list items) the audience if the activity names none
        and what the none-veto reads around an activity alone in its sentence, `asked` whether the message asks about
        this activity (step 6). The caller applies step 9 (`purpose_slot`) once it knows which other activities the
        message names.

        Returns None when the text names nothing a rule or the fallback could judge.
        """
        said_text, text = text, self.base.expand(text)
        said = tuple(words(text))
        tokens = with_separable_verbs(without_negated(said), self.base.vocabulary)
        if not tokens or (sentence and denied_before(said, self._sentence_words(sentence))):
            return None
        message = context if message is None else message
        audiences = self.audiences_in(tokens)
        if hits(self._audience_open, tuple(words(sentence or text))):
            # "eine Schulung zu Power Platform (wer teilnimmt, steht noch nicht fest)": who takes part is open — not
            # read from the rest of the message (another item's audience, "… und Prüfungen für 2 Consultants"), and
            # not from the activity's own words when they name it open ("maybe our team, maybe customers")
            if hits(self._audience_open, tokens):
                audiences = set()
        elif not audiences:
            # an activity naming none has the message's: without the other list items, each an activity of its own
            # ("1) display ads 2) gifts for customers 3) floor day for sales" — the gifts' customers are not the floor
            # day's), and not from a parenthesis ("wir sind Microsoft-Partner aus Leipzig (ca. 40 Mitarbeiter)" gives
            # the company's size, not whom a workshop is for)
            audiences = self.audiences_in(without_negated(tuple(words(COMPANY_SIZE.sub(" ", PARENS.sub(" ", message))))))
        decided, ambiguous = self.lexical_hits(tokens, audiences)
        framed, unframed = self._framed(decided, said_text, audiences)
        topical = [d for d in decided if d in framed or self._only_as_topic(d, tokens) or self._taught(d, tokens)]
        if topical:
            # "ein Webinar zur Azure-Migration": the migration is what the webinar is about — decided without that
            # rule's terms, when something else decides; else the topic is the activity ("Co-op für Migrationen?")
            rest = self._decide_hits(text, tokens, audiences, [d for d in decided if d not in topical], ambiguous,
                                     context, False, sentence, message, asked)
            if rest is not None and rest.reason != "no-rule":
                return rest
            if framed:
                # … but not where a frame makes it what is shown or promoted, or the customer's own switch: the
                # activity is read without the frame's words
                text, tokens = unframed
                decided = [d for d in decided if d not in framed]
        return self._decide_hits(text, tokens, audiences, decided, ambiguous, context, allow_semantic, sentence,
                                 message, asked)

    def _only_as_topic(self, found: tuple[Rule, list[Term]], tokens: tuple[str, ...]) -> bool:
        """Whether every term of a rule's hit is one of its `topic_terms` and stands after a preposition of topic (a
        combination: its first part)."""
        topics = self._topics.get(found[0].id, frozenset())
        # of a combination ("umstellung + microsoft 365"), its first part: the migration named, then where it goes
        return bool(topics) and all(t.raw in topics and _only_after(replace(t, parts=t.parts[:1]), tokens,
                                                                    TOPIC_PREPOSITIONS, TOPIC_GAP)
                                    for t in found[1])

    def _framed(self, decided: list[tuple[Rule, list[Term]]], text: str, audiences: set[str]
                ) -> tuple[list[tuple[Rule, list[Term]]], tuple[str, tuple[str, ...]]]:
        """The rules' hits made of their `topic_terms` only that are gone from `text` without its topic frames
        (`TOPIC_FRAMES`: what an activity shows or promotes, a time frame, the customer's own switch as a condition),
        with that text (expanded) and its tokens: the migration is what another activity is about or when it happens,
        not the service paid for („eine halbe Seite, auf der wir unsere Umstellung auf Microsoft 365 bewerben“, "anyone who
        switches to Microsoft 365 gets the setup free", „Nach der Umstellung … einen unserer Leute zwei Wochen beim
        Kunden“: session 32, a kind from the readable probes, where 16 findings read the migration instead)."""
        topical = [d for d in decided if d[0].id in self._topics and all(t.raw in self._topics[d[0].id] for t in d[1])]
        rest = TOPIC_FRAMES.sub(" ", text) if topical else text
        if rest == text:
            return [], (text, ())
        rest = self.base.expand(rest)
        tokens = with_separable_verbs(without_negated(tuple(words(rest))), self.base.vocabulary)
        still = {rule.id for rule, _ in self.lexical_hits(tokens, audiences)[0]}
        return [d for d in topical if d[0].id not in still], (rest, tokens)

    def _taught(self, found: tuple[Rule, list[Term]], tokens: tuple[str, ...]) -> bool:
        """Whether every term of an activity's hit stands right before a format that waits for its audience, or is
        the start of a compound it ends ("a LinkedIn ads training", „ein Social-Media-Kurs“, „Telemarketingschulung“):
        the activity is what the training teaches, not the thing asked about (session 31, a kind from a new user's
        trial: a social-media course given for a school was eligible social-media marketing)."""
        rule = found[0]
        # a skilling activity is training itself ("an on-demand training", "the official AZ-500 course")
        if rule.kind != "eligible_activity" or rule.audience != "any" or rule.category == "partner_skilling":
            return False
        present = hits(self._formats, tokens)
        if not present:
            return False
        starts = {start for term in present for start, _ in occurrences(term.parts[0], tokens, term.fuzzy)}

        def before_format(term: Term) -> bool:
            found_at = occurrences(term.parts[0], tokens, term.fuzzy)
            return bool(found_at) and all(end in starts or any(
                tokens[end - 1].endswith(w) and len(tokens[end - 1]) > len(w) for w in self._format_heads)
                for _, end in found_at)

        # a combination ("ads + linkedin") says nothing about where its words stand: the phrases decide
        phrases = [t for t in found[1] if len(t.parts) == 1]
        return bool(phrases) and all(before_format(t) for t in phrases)

    def _decide_hits(self, text: str, tokens: tuple[str, ...], audiences: set[str],
                     decided: list[tuple[Rule, list[Term]]], ambiguous: list[Rule], context: str,
                     allow_semantic: bool, sentence: str, message: str, asked: bool) -> Decision | None:
        """Steps 1–8 of `decide` on the rules whose terms were found (`lexical_hits`)."""
        excluded = _best([d for d in decided if d[0].kind == "exclusion"])
        if excluded:
            return _lexical(excluded)
        covered = self.not_covered_in(tokens)
        if covered:
            return Decision("unclear", terms=tuple(covered), confidence=0.8, reason="not-covered")
        for kind in ("allowance", "eligible_activity"):
            best = _best([d for d in decided if d[0].kind == kind])
            if best:
                p_none = self.p_not_marketing(tokens, sentence, message)
                if p_none >= self.none_veto and len(tokens) > 2 and self._offerings_in(tokens) \
                        and not _one_word_only(best[1]):
                    # an activity that names in its own words the Microsoft offering it is for needs no purpose from
                    # around it: the sentence's other item does not veto it ("Google Ads for our Copilot package and
                    # the gym membership of our MD": session 33, a kind from a new user's trial) — its own words do;
                    # not a match of one-word terms alone, which never decides by itself ("pilot" in „Workshop zu
                    # Windows Autopilot“ was a proof of concept without the sentence's veto)
                    p_none = self.p_not_marketing(tokens)
                if p_none >= self.none_veto:
                    return Decision("unclear", terms=tuple(t.raw for t in best[1]), confidence=round(p_none, 3),
                                    candidates=(best[0].id,), reason="not-marketing")
                return self._second_reading(best, tokens, audiences) or _lexical(best)
        if ambiguous:
            return Decision(
                "needs_info", candidates=tuple(r.id for r in ambiguous), confidence=0.6, reason="ambiguous-audience"
            )
        described = self._described(tokens)
        # a single word never decides alone ("Best" closing an e-mail is no best practice); a phrase of place names
        # where the activity runs, not what it is ("in a hotel conference room" read 0.80 as a Microsoft conference)
        if self.learned is not None and len(self._activity_words(described)) >= 2 and (
                tokens[0] not in LEADING_PLACE or not SUBJECTS.isdisjoint(tokens)):
            # the audience is a slot, not the activity: the recogniser names the activity from the rest
            activity = self.learned.read(" ".join(described))
            if activity.probability < self.learned_min and asked:
                # a weaker reading rests on words: an amount or a count ("about $4,000", "2,000 firms") is no evidence
                activity = self.learned.read(" ".join(t for t in described if not t.isdigit()))
            weak = activity.probability < self.learned_min
            if not weak or (
                    asked and activity.probability >= self.learned_asked_min
                    and self._sentence_reads(activity.label, sentence or text)
                    and self.p_not_marketing(tokens, sentence, message)
                    < self.none_veto and (self.names_offering(context or text) or self._names_channel(activity.label, tokens))):
                learned = self._learned(activity, audiences)
                if learned is not None:
                    return replace(learned, weak=weak)
        if self.semantic is not None and allow_semantic:
            found = self.semantic.best(text)
            if found is not None:
                rule, score, _margin = found
                return self._slot_decision(rule, audiences, "semantic", (), score)
        return None

    def _second_reading(self, found: tuple[Rule, list[Term]], tokens: tuple[str, ...],
                        audiences: set[str]) -> Decision | None:
        """A term does not decide against a confident reading of the whole activity (step 5): when the recogniser
        reads the activity as another rule with probability >= `learned_min`, the recogniser's rule decides (one word:
        "a quarter page in the Saturday edition the newspaper offered us" is a print ad, not a customer offer; and
        longer: "einen Onsite-Champion beim Pilotkunden" is an on-site champion, not the pilot of a proof of
        concept); when every matching term is one word ("offer", "Veranstaltung"; "landing page" is two) and
        the recogniser reads the activity's words (two or more besides the question frame) as "none", giving the
        term's rule less than `corroborate_min`, nothing corroborates the word and the activity is "unclear" (reason
        "not-marketing", the term's rule its candidate: "the champion gets a trophy"). None keeps the term's rule."""
        if self.learned is None:
            return None
        described = self._described(tokens)
        reading = self.learned.read(" ".join(described))
        if reading.label == found[0].id:
            return None
        one_word = _one_word_only(found[1])
        if (one_word and reading.label == "none" and reading.p(found[0].id) < self.corroborate_min
                and len(self._activity_words(described)) >= 2):
            # the word names a listed activity, the words around it read as no Co-op activity at all ("the champion
            # gets a trophy"): the word alone does not decide
            return Decision("unclear", terms=tuple(t.raw for t in found[1]), confidence=round(reading.probability, 3),
                            candidates=(found[0].id,), reason="not-marketing")
        rule = self._learned_rule(reading.label)
        # an exclusion wins over an allowed reading of the same activity (issue #6): against a term of an allowed rule
        # a weaker reading of an exclusion is enough ("Flying our three best sales reps to Barcelona as a reward for
        # hitting quota" reads 0.78 as a seller award trip; "reward + sales" is a SPIFF term) — a false "eligible" is
        # the failure feared most, a false "not eligible" gets the hand-off
        needed = EXCLUSION_READ_MIN if rule is not None and rule.kind == "exclusion" else self.learned_min
        if reading.probability < needed:
            return None
        return self._learned(reading, audiences)  # None for a "none" or "process" reading: the term's rule stands

    def _names_channel(self, label: str, tokens: tuple[str, ...]) -> bool:
        """Whether the tokens name a platform the read rule runs on (rule data `channels`: "eine Facebook-Kampagne" is
        read as social media, and Facebook is one of its platforms)."""
        rule = self._learned_rule(label)
        return rule is not None and rule.channels is not None and any(
            name in tokens for name in rule.channels.folded() if " " not in name)

    def names_offering(self, text: str) -> bool:
        """Whether `text` names a Microsoft offering (rule data `offerings:`: Azure, Microsoft 365, Copilot …)."""
        return bool(self._offerings_in(tuple(words(self.base.expand(text)))))

    def offering_words(self, text: str) -> frozenset[str]:
        """The folded words of `text` that name a Microsoft offering (rule data `offerings:`)."""
        return frozenset(w for t in self._offerings_in(tuple(words(self.base.expand(text)))) for w in t.needs)

    def _offerings_in(self, tokens: tuple[str, ...]) -> list[Term]:
        """The offering names in the folded tokens — not the company's name where it names the fund ("unser
        Microsoft-Co-op", "our Microsoft co-op budget", "Microsoft funds"): the money comes from Microsoft, what is
        promoted is another matter (a new user's trial and a readable negative probe, session 20: a co-founder's bakery
        promoted „über unser Microsoft-Co-op“ had its purpose waived)."""
        return hits(self._offerings, tuple("" if t in _COMPANY and n + 1 < len(tokens) and tokens[n + 1] in _FUND else t
                                           for n, t in enumerate(tokens)))

    def _sentence_reads(self, label: str, sentence: str) -> bool:
        """Whether the recogniser, reading the whole sentence (without its audience words), ranks `label` first
        among the rules (its "none" and "process" readings belong to the question frame around the activity)."""
        tokens = without_negated(tuple(words(self.base.expand(sentence))))
        read = " ".join(t for t in self._described(tokens) if not t.isdigit())
        return self.first_rule(self.read_all(read)) == label

    def read_all(self, text: str) -> Any:
        """The recogniser's reading of `text` with every label ranked (a Recognition); needs `learned`."""
        assert self.learned is not None
        return self.learned.read(text, top=len(self._rules) + 2)

    def first_rule(self, reading: Any) -> str | None:
        """The best-ranked label of `reading` that is a rule of the rule base (not "none" or "process")."""
        return next((name for name, _ in reading.ranked if self._learned_rule(name) is not None), None)

    def _described(self, tokens: tuple[str, ...]) -> list[str]:
        """The activity's words the recogniser reads: without the audience's (who it is for is a slot, not the
        activity) — nor the word between a possessive and an audience noun, which names which of them ("für unsere
        Data Engineers", "for our own helpdesk staff"). The audience's words are its one-word terms and the words of
        its longer terms where those stand: a word of a longer term alone is no audience ("training" of "employee
        training", "sales" of "sales team", "in" of "in house" — the recogniser had never read them), nor is a word
        of a Microsoft offering's name ("Teams Rooms")."""
        one = self.base.audience_one_words
        named = {n for n, t in enumerate(tokens) if t in one}
        named |= set().union(*(spans(t, tokens) for b in self._audiences.values() for t in hits(b, tokens)
                               if len(t.parts) > 1 or len(t.parts[0]) > 1))
        named -= set().union(*(spans(t, tokens) for t in hits(self._offerings, tokens)))
        named |= {n for n in range(1, len(tokens) - 1) if tokens[n - 1] in AUDIENCE_POSSESSIVES and n + 1 in named}
        for n in sorted(named):  # … with the possessives before them ("for our own staff", „für unsere Kunden“)
            k = n - 1
            while k >= 0 and k not in named and tokens[k] in AUDIENCE_POSSESSIVES:
                named.add(k)
                k -= 1
        return [t for n, t in enumerate(tokens) if n not in named]

    def _activity_words(self, described: list[str]) -> list[str]:
        """The described words that say what the activity is: not the question frame's, not numbers (an amount or an
        invoice number names no activity; a number still helps the recogniser read "Windows 11" or "AZ-900"), not
        fragments of two letters ("we've" → "ve"), as `Checker.content_words` counts them; nor modal particles (rule data
        `particles:`: „die Schulung ist doch für unsere Vertriebler" describes a training, nothing besides it)."""
        return [t for t in described if t not in self.base.frame_set and t not in self.base.particle_set
                and not t.isdigit() and len(t) > 2]

    def not_covered_in(self, tokens: tuple[str, ...]) -> list[str]:
        """Ids of the not-covered items (salaries, office rent, donations…) the folded tokens name (step 2): by their
        terms, or by a cost word (rule data `cost_words`: rent, power, cleaning…) where no eligible activity or
        allowance is named by its terms — then it is that activity's cost („Standmiete und Strom für die it-sa")."""
        found = [nid for nid, terms in self._not_covered if any(
            not (t.raw in self._sectors.get(nid, ()) and _addressed(t, tokens)) for t in hits(terms, tokens))]
        costs = [nid for nid, terms in self._cost_words if nid not in found and hits(terms, tokens)]
        if costs:
            decided, _ = self.lexical_hits(tokens, self.audiences_in(tokens))
            if any(r.kind in ("allowance", "eligible_activity") for r, _terms in decided):
                return found
        return found + costs

    def p_not_marketing(self, tokens: tuple[str, ...], sentence: str = "", message: str = "") -> float:
        """How strongly the recogniser reads the activity as not Co-op marketing (0 without a recogniser).

        The purpose often stands outside the activity's words ("SMS" in "our carrier bill covers voice,
        SMS and data"), so the sentence is read too and the stronger "none" counts; an activity of one
        or two words says nothing about purpose by itself ("SEO"), so then the sentence alone decides — or, when the
        sentence holds nothing besides it ("It's an event – can we use Co-op?"), the whole `message` (the other
        sentences tell what the event is); with nothing around it anywhere ("und Plakate?"), nothing says it is not
        marketing (0).
        `tokens` are the activity's folded words (short forms written out, negated words removed); the question
        frame's words and particles among them ("über Co-op laufen lassen", "nur") are not read.
        """
        reader = self.veto or self.learned
        if reader is None:
            return 0.0
        # the question frame is not the activity ("SEO über Co-op laufen lassen" reads as "SEO")
        tokens = tuple(t for t in tokens if t not in self.base.frame_set and t not in self.base.particle_set) or tokens
        around = self._veto_words(sentence)
        if len(tokens) <= 2 and set(around) <= set(tokens):
            around = self._veto_words(message)
        p_sentence = reader.read(" ".join(around)).p("none") if around and around != tokens else 0.0
        if len(tokens) <= 2:  # with nothing around it ("und Plakate?"), nothing says it is not marketing
            return float(p_sentence)
        return float(max(reader.read(" ".join(tokens)).p("none"), p_sentence))

    def p_none_described(self, text: str) -> float:
        """How strongly the none-veto's reader reads what `text` describes — its words without the question frame
        and particles — as not Co-op marketing (0 without a recogniser; 0 when nothing is left)."""
        reader = self.veto or self.learned
        described = self._veto_words(text)
        return float(reader.read(" ".join(described)).p("none")) if reader is not None and described else 0.0

    def _veto_words(self, text: str) -> tuple[str, ...]:
        """The folded, expanded words the none-veto reads around an activity (without the frame's words when the
        veto reader learned without them)."""
        around = tuple(words(self.base.expand(text))) if text else ()
        return tuple(w for w in around if w not in self.base.frame_set and w not in self.base.particle_set) \
            if self.veto is not None else around

    def _learned_rule(self, label: str) -> Rule | None:
        return next((c.rule for c in self._rules if c.rule.id == label), None)

    def _learned(self, reading: Any, audiences: set[str]) -> Decision | None:
        """The recogniser's rule as a decision; None for "none"/"process" or a rule not in force."""
        rule = self._learned_rule(reading.label)
        if rule is None:
            return None
        return self._slot_decision(rule, audiences, "learned", reading.evidence, reading.probability)

    def _slot_decision(self, rule: Rule, audiences: set[str], source: Literal["learned", "semantic"],
                       evidence: tuple[str, ...], score: float) -> Decision | None:
        """A rule read from the activity's meaning (the recogniser or the semantic fallback) through the audience
        slot: a rule for one audience with none named asks whom it is for (`needs_info`); with the other audience
        named it is not this rule (None). Confidence is the reading's score, capped at 0.9."""
        if rule.audience != "any" and rule.audience not in audiences:
            partner = [c.rule.id for c in self._rules if c.rule.audience not in ("any", rule.audience)
                       and c.rule.ambiguous_terms.all()]
            if audiences:  # the other audience is named: not this rule
                return None
            return Decision("needs_info", candidates=tuple([rule.id, *partner]), confidence=0.6,
                            reason="ambiguous-audience")
        verdict: Outcome = "not_eligible" if rule.kind == "exclusion" else "eligible"
        return Decision(verdict, rule, source, evidence, round(min(score, 0.9), 3), reason="rule")


# matcher step 9 for a rule whose guidance wording names Microsoft: the purpose reader leaning "off" decides
MICROSOFT_OWN_OFF = 0.5
MIN_COMPOUND_PART = 4  # the shortest word a compound's second part may begin with ("Kunden|event")
# endings of an audience word that keep it one ("mitarbeiter|in", "kunde|n", "colleague|s")
_FORMS = INFLECTION_SET | {"in", "innen"}
_VOWELS = frozenset("aeiouyäöü")
# "Teams" written with a capital is Microsoft Teams in partners' messages ("LinkedIn-Anzeigen für unser Teams-Paket",
# "ads for our Teams bundle"); the partner's own teams are "our teams", „unser Team", „unsere Mitarbeiter"
_PRODUCT_TEAMS = re.compile(r"\bTeams\b")
# A partner programme named with its owner (`Matcher._owner_of`): a name between a determiner and it ("the HubSpot
# partner program", "our Sophos Partner Programme"), after it („das Partnerprogramm von Lexware“, "the partner program
# of Shell"), or joined to it when the name is written as one — in capitals or with a capital inside („das
# IHK-Partnerprogramm“, „HubSpot-Partnerprogramm“; „Fachhändler-Partnerprogramm“ is a German noun, and so is
# „Jahresgebühr“ before "AI Cloud Partner Program": no names). Everyday grammar, not eval words.
_PROGRAMME = r"(?i:(?:partner|reseller|affiliate|händler|haendler)[ -]?program(?:me|m)?(?:s|e)?)"
_NAME = r"(?:[A-Z][\w&+.]*|[a-z]+[A-Z]\w*)"
PROGRAMME_OWNER = re.compile(
    r"\b(?i:the|our|their|your|its|a|an) (?P<before>" + _NAME + r"(?: " + _NAME + r"){0,2})(?:['’]s?)? " + _PROGRAMME
    + r"\b|\b" + _PROGRAMME + r" (?i:von|bei|des|der|of|from|by|at) (?P<after>" + _NAME + r")"
    + r"|(?P<joined>\b(?:[A-Z]{2,}\w*|[A-Z][a-z]+[A-Z]\w*))-" + _PROGRAMME + r"\b")
# the words of Microsoft's own programme and its partners' standing in it: no other owner
_OWN_PROGRAMME = frozenset({"microsoft", "microsofts", "ms", "msft", "ai", "ki", "cloud", "solutions", "solution", "partner",
                            "partners", "mcpp", "mpn", "csp", "official", "offizielle", "offiziellen", "annual", "global"})
# how surely the recogniser must read an exclusion to decide against an allowed rule's term (step 5): half, as step 6's
# weaker reading of an asked activity; an allowed rule still needs `learned_min`
EXCLUSION_READ_MIN = 0.5
_NEGATORS = frozenset({"kein", "keine", "keinen", "keiner", "keinem", "keines", "nicht", "no", "not", "never", "nie",
                       "statt", "anstatt", "anstelle", "instead",  # what is replaced is not asked either
                       "ohne", "without",  # nor what is left out ("ein Proof of Concept …, ganz ohne SureStep")
                       # nor what a correction cancels ("Actually scrap the print ad, we'd rather send a postcard.":
                       # session 34, a readable dialogue probe): the verbs of calling a plan off, English and the German
                       # imperatives that come before their object („Vergiss …“, „Vergessen Sie …“, „Streich …“)
                       "scrap", "scrapped", "cancel", "cancelled", "canceled", "forget", "skip", "ditch", "ditched",
                       "vergiss", "vergesst", "vergessen", "streich", "streicht"})
_NOT_NEGATING = frozenset({"nur", "only", "just", "merely", "bloss", "blos", "lediglich", "sure", "sicher",
                           # not knowing or finding denies no activity ("we don't know whether the webinar counts",
                           # "I can't find trade shows in the guidance", „wir wissen nicht, ob …“)
                           "know", "knew", "find", "found", "see", "understand", "remember", "tell", "decide",
                           "decided", "wissen", "weiss", "weiß", "verstehen", "finden"})
_ARTICLES = frozenset({"a", "an", "the", "ein", "eine", "einen", "einem", "einer", "der", "die", "das", "den", "dem"})
_BOUNDARY = frozenset({"sondern", "but", "nur", "only", "just", "und", "and", "aber"})
# … while "or" after a denied word denies the next one too ("we don't want telemarketing or print", „keine Messe oder
# Printanzeige“)
_ALTERNATIVES = frozenset({"or", "oder", "nor", "noch"})
# English contractions: "don't", "won't" … are split into the verb and "t"; after a subject ("we don't want …", "print
# ads aren't planned") the "t" negates. First in its piece or after a question word it asks ("Don't we …?", "Why
# don't we …?", "Isn't that eligible?"); "can't" says what is not possible, not what is not wanted ("we can't do the
# trade show without co-op").
_CONTRACTED = frozenset({"don", "doesn", "didn", "won", "wouldn", "shouldn", "isn", "aren", "wasn", "weren", "haven",
                         "hasn", "hadn"})
_ASKING = frozenset({"why", "how", "what", "which", "who", "where", "when", "warum", "wieso", "weshalb"})
# the verbs of wanting or planning and their particles between a negator and what it denies ("we don't want to do any
# print ads", "we're not planning to run …", „wir wollen nicht mehr …“): they do not count towards its two words
_DENIAL_CHAIN = frozenset({"want", "wants", "wanted", "plan", "plans", "planning", "planned", "intend", "intends",
                           "intending", "need", "needs", "going", "gonna", "to", "do", "doing", "run", "running", "be",
                           "any", "more", "anymore", "again", "also", "mehr"})


# what may follow a negator that ends its clause: the clause's verb of intention or plan, or "no longer"
# („Eine Messe wollen wir dieses Jahr nicht machen", "a trade fair is not planned"); not a participle of what is done
# or booked („noch nicht gebucht" is planned)
_CLAUSE_END = frozenset({"machen", "durchfuehren", "buchen", "planen", "organisieren", "veranstalten", "schalten",
                         "anbieten", "mehr", "wieder", "nochmal", "planned", "happening", "needed", "wanted"})


def denied_clause(tokens: tuple[str, ...]) -> bool:
    """Whether a "nicht"/"not" near the clause's end denies the whole clause: what stands before it is what is not
    done („Eine Messe wollen wir dieses Jahr nicht machen"); not "noch nicht"/"not yet", not "oder nicht"/"or not", and
    not a "nicht" that ends the clause alone („Und die Bürostühle wirklich nicht?" asks about them)."""
    for n, tok in enumerate(tokens):
        if tok not in ("nicht", "not") or n < 2 or tokens[n - 1] in ("noch", "oder", "or", "yet"):
            continue
        after = tokens[n + 1:]
        if 0 < len(after) <= 2 and all(t in _CLAUSE_END for t in after):
            return True
    return False


def without_negated(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Tokens without what a negation denies ("ist keine Messe", "not a trade show", "we don't want to do any print
    ads"): up to two words after the negator (articles and verbs of wanting skipped, stopping at "sondern"/"but"/"und"…,
    going on after "or") are context, not the activity; a clause a negator at its end denies (`denied_clause`) is none
    at all. "nicht nur" / "not only" negates nothing."""
    if denied_clause(tokens):
        return ()
    return tuple(t for t, denied in zip(tokens, _negated(tokens), strict=True) if not denied)


def denied_before(piece: tuple[str, ...], sentence: tuple[str, ...]) -> bool:
    """Is the piece's first word denied by a negation before the piece in its sentence ("print this half" in "we don't
    want to do telemarketing or print this half", the sentence split at "or")? False when the piece is not found."""
    n = len(piece)
    if not n:
        return False
    for start in range(len(sentence) - n + 1):
        if sentence[start:start + n] == piece:
            return start > 0 and _negated(sentence)[start]
    return False


@functools.lru_cache(maxsize=4096)  # a sentence is read for each of its pieces
def _negated(tokens: tuple[str, ...]) -> tuple[bool, ...]:
    """For each token, whether a negation before it denies it (`without_negated`'s scope)."""
    out: list[bool] = []
    skip = 0
    for n, tok in enumerate(tokens):
        if skip and tok in _BOUNDARY:
            skip = 0
        if tok in _ALTERNATIVES and out and out[-1]:
            skip = 2
        if skip:
            skip -= 1 if tok not in _ARTICLES and tok not in _DENIAL_CHAIN and tok not in _ALTERNATIVES else 0
            out.append(True)
            continue
        nxt = tokens[n + 1] if n + 1 < len(tokens) else ""
        contracted = tok == "t" and n >= 2 and tokens[n - 1] in _CONTRACTED and tokens[n - 2] not in _ASKING
        negates = (tok in _NEGATORS or contracted) and nxt not in _NOT_NEGATING
        skip = 2 if negates else 0
        out.append(negates)
    return tuple(out)


# words between a staff word and the customers it belongs to ("the employees of our customers", „die Mitarbeiter unserer
# Kunden“), and words that end the staff noun after a customer's possessive ("customers and staff" are two audiences)
_OF = frozenset({"of", "the", "our", "their", "a", "an", "one", "der", "des", "von", "vom", "unserer", "unseres", "unseren",
                 "ihrer", "ihres", "deren", "eines", "einer", "einem", "dem", "den"})
_GENITIVE = frozenset({"of", "der", "des", "von", "vom", "eines", "einer"})
# possessives of the partner's own: a staff word with one names the partner's staff ("our own staff", „unsere Leute“)
_OWN = frozenset({"our", "us", "my", "own", "unser", "unsere", "unserer", "unseren", "unseres", "unserem", "uns", "mein",
                  "meine", "meiner", "meines", "eigene", "eigenen", "eigener", "eigenes"})
_LINKS_BREAK = frozenset({"and", "or", "und", "oder", "for", "für", "fuer", "to", "with", "mit", "as", "als", "plus"})

# German separable verb particles: at the end of a clause they belong to its verb („wir stellen den Kunden auf Microsoft
# 365 um" is „umstellen", „wir stellen auf der it-sa aus" „ausstellen", „ein Dienstleister ruft die Kunden an"
# „anrufen"). Everyday grammar (Duden: trennbare Verben), not eval words.
SEPARABLE_PARTICLES = frozenset({"um", "an", "aus", "ein", "auf", "ab", "vor", "teil", "dar", "mit", "zu", "durch"})
_VERB_ENDINGS = ("en", "n", "t", "st", "e", "")
# the particles a zu-infinitive puts "zu" after („ein|zu|reichen", „an|zu|rufen"): not "zu" itself
_ZU_PARTICLES = tuple(sorted(SEPARABLE_PARTICLES - {"zu"}, key=len, reverse=True))


# the prepositions of where a change leads ("to", „zu“, „nach“, „auf“ AWS): what comes after them is the goal
_TOWARDS_WORDS = frozenset({"to", "into", "towards", "zu", "zur", "zum", "nach", "auf"})


def _towards(term: Term, tokens: tuple[str, ...]) -> bool:
    """Whether the term's first part stands right after a preposition of direction, or after one and an article
    ("to the AWS cloud"): the goal of a change, not what the activity also names (session 25, a kind from a new user's
    trial: a migration away from Microsoft 365 had been eligible as migration services)."""
    return any(tokens[i - 1] in _TOWARDS_WORDS or (i > 1 and tokens[i - 1] in _ARTICLES and tokens[i - 2] in _TOWARDS_WORDS)
               for i, _ in occurrences(term.parts[0], tokens, term.fuzzy) if i > 0)


def with_separable_verbs(tokens: tuple[str, ...], vocabulary: frozenset[str]) -> tuple[str, ...]:
    """`tokens` and, when the last one is a separable particle, the verb it belongs to joined with it — the first
    earlier token that makes a word of `vocabulary` with it, as written („umziehen") or as the infinitive of a finite
    form („stellt … um" → „umstellen"); `tokens` unchanged otherwise."""
    if len(tokens) < 2 or tokens[-1] not in SEPARABLE_PARTICLES:
        return tokens
    particle = tokens[-1]
    for token in tokens[:-1]:
        for ending in _VERB_ENDINGS:
            stem = token[: len(token) - len(ending)] if ending and token.endswith(ending) else token
            for joined in (particle + token, particle + stem + "en", particle + stem + "n"):
                if joined in vocabulary and len(stem) >= 3:
                    return (*tokens, joined)
    return tokens


def with_zu_infinitives(tokens: tuple[str, ...], vocabulary: frozenset[str]) -> tuple[str, ...]:
    """`tokens` and, for a zu-infinitive of a separable verb, the verb without its "zu" („einen Claim einzureichen" →
    „einreichen") when that makes a word of `vocabulary` (session 25, a kind from a new user's trial: „Wie lange habe
    ich Zeit, einen Claim einzureichen?" read no claims question). Used for the process topics: read for activities,
    the added word shifted the none reader's reading of a clause („um ein Event mitzufinanzieren")."""
    zu = tuple(joined for t in tokens for p in _ZU_PARTICLES if t.startswith(p + "zu") and len(t) >= len(p) + 6
               and (joined := p + t[len(p) + 2:]) in vocabulary)
    return (*tokens, *zu) if zu else tokens


@functools.lru_cache(maxsize=1 << 16)  # per token and audience: the same words recur in every message
def _compound_head(token: str, heads: tuple[str, ...], vocabulary: frozenset[str] = frozenset()) -> bool:
    """An audience inside a German compound: as its last part, the head ("vertriebsmitarbeiter" ends in
    "mitarbeiter"), or as its first part naming whom the thing is for ("kundenseminare" → customers), when what
    follows it begins with a word of `vocabulary` (`_a_word`: "seminare", "schulung"; not "intern|ational",
    "personal|ised"). The token must be longer than the one-word term by at least three (head) or four (first part)
    letters."""
    return any((len(token) >= len(h) + 3 and token.endswith(h))
               or (len(token) >= len(h) + 4 and token.startswith(h) and _a_word(token[len(h):], vocabulary))
               for h in heads)


# Prepositions of place before a place term ("auf unserer Website", "on our website", "via the landing page"), with at
# most PLACE_GAP words between (articles, possessives, adjectives); everyday grammar, not eval words. "in" and "für"
# are left out: "in unsere Website investieren", "SEO für die Website" are the activity.
PLACE_PREPOSITIONS = frozenset({"auf", "ueber", "über", "via", "von", "on", "onto", "from", "at", "to"})
PLACE_GAP = 4
# possessives before an audience phrase ("unsere Data Engineers", "our own helpdesk staff"), folded; everyday grammar
def names_which(tokens: tuple[str, ...] | list[str], n: int, audience: frozenset[str] | set[str]) -> bool:
    """Is token `n` the word between a possessive and an audience word, naming which of them ("für unsere Data
    Engineers", "for our support staff")?"""
    return 0 < n < len(tokens) - 1 and tokens[n - 1] in AUDIENCE_POSSESSIVES and tokens[n + 1] in audience


AUDIENCE_POSSESSIVES = frozenset({"our", "own", "their", "unsere", "unseren", "unserer", "unser", "unserem", "eigene",
                                  "eigenen", "eigener", "ihre", "ihren", "deren"})
# Prepositions that open a phrase of place ("in a hotel conference room", „im Hotel am See", "at our office"): a piece
# that begins with one says where, and the recogniser does not name an activity from it (step 6). Everyday grammar.
LEADING_PLACE = frozenset({"in", "im", "at", "auf", "bei", "beim", "inside"})
# … unless the piece is a clause with the partner as its subject: a time or place put first („Im Herbst möchten wir eine
# LinkedIn-Kampagne schalten“, "In spring we'd like to run …") is German word order and English fronting, not a phrase of
# place (session 28, a new user's trial). Everyday grammar: the first persons as subject.
SUBJECTS = frozenset({"we", "i", "wir", "ich"})


# Nouns of a group of people: an activity word right before one names the group, not the activity („die Telefonanlage
# unseres Telemarketing-Teams“, "headsets for our telemarketing team", "the events department"). Session 24, a kind
# from a new user's trial (a repair and headsets eligible as telemarketing); everyday words for a team, not eval words.
GROUP_WORDS = frozenset({"team", "teams", "abteilung", "department", "crew", "staff", "kollegen", "kolleginnen",
                         "leute", "leiter", "leiterin", "lead", "manager", "managerin"})


# The partner describing itself by its size names no audience: „Wir sind ein Microsoft-Partner mit 35 Mitarbeitenden.
# Können wir ein Frühstücksseminar für 15 Geschäftsführer … bezahlen?“, "We're a 40-employee shop" (session 24, a kind
# from a new user's trial: the seminar became internal training). Only after "we are" / "our company", so "a workshop
# with 20 employees" keeps its audience.
COMPANY_SIZE = re.compile(
    r"\b(?:wir sind|we are|we'?re|unsere? (?:firma|unternehmen)|our (?:company|firm|business))\b[^.!?\n]{0,80}?"
    r"(?:\b(?:mit|with|of|haben|have|hat|has)\s+(?:(?:rund|ca\.?|etwa|about|around|approximately|über|over|knapp|gut)"
    r"\s+)?\d[\d.,]*\s+(?:mitarbeite\w*|angestellte\w*|beschäftigte\w*|employees|staff|people|leute|köpfe\w*)\b"
    r"|\b\d+-(?:employee|person|people|mitarbeiter)\b)",
    re.IGNORECASE)


def _only_before(term: Term, tokens: tuple[str, ...], followers: frozenset[str]) -> bool:
    """Whether every occurrence of the one-part `term` in `tokens` is followed right after by one of `followers`."""
    if len(term.parts) != 1:
        return False
    ends = [end for _, end in occurrences(term.parts[0], tokens, term.fuzzy)]
    return bool(ends) and all(end < len(tokens) and tokens[end] in followers for end in ends)


def _addressed(term: Term, tokens: tuple[str, ...]) -> bool:
    """Whether every occurrence of the one-part `term` stands right after a preposition of audience, or after "and"/
    "oder" that joins it to a word right after one ("für Kanzleien und Steuerberater"): whom an activity addresses."""
    if len(term.parts) != 1:
        return False
    starts = [i for i, _ in occurrences(term.parts[0], tokens, term.fuzzy)]
    return bool(starts) and all(i > 0 and (tokens[i - 1] in AUDIENCE_PREPOSITIONS or (
        i > 2 and tokens[i - 1] in _JOINING and tokens[i - 3] in AUDIENCE_PREPOSITIONS)) for i in starts)


_JOINING = frozenset({"und", "and", "oder", "or", "sowie"})


def _only_after(term: Term, tokens: tuple[str, ...], prepositions: frozenset[str], gap: int) -> bool:
    """Whether every occurrence of the one-part `term` in `tokens` follows one of `prepositions` within `gap` words:
    the term names where something else runs ("Banner auf einigen Branchen-Websites", PLACE_PREPOSITIONS) or what
    it is about ("ein Webinar zur Azure-Migration", TOPIC_PREPOSITIONS), not the activity."""
    if len(term.parts) != 1:
        return False
    phrase = term.parts[0]
    starts = [i for i in range(len(tokens) - len(phrase) + 1) if phrase_in(phrase, tokens[i:i + len(phrase)], term.fuzzy)]
    return bool(starts) and all(set(tokens[max(0, i - gap - 1):i]) & prepositions for i in starts)


# Prepositions of topic before a topic term ("zur Azure-Migration", "for Azure migrations", "about moving to the
# cloud", "to promote our migration offer"), with at most TOPIC_GAP words between; everyday grammar, not eval words.
TOPIC_PREPOSITIONS = frozenset({"für", "fuer", "zur", "zum", "über", "ueber", "rund", "bzgl", "bezüglich", "zwecks",
                                "for", "about", "on", "around", "regarding", "promoting", "promote", "advertising"})
TOPIC_GAP = 3
# Frames around a topic term that make it what another activity is about or when it happens (`Matcher._framed`);
# everyday grammar of German and English, not eval words:
_SWITCH_VERB = (r"(?:wechseln|wechselt|umstellen|umstellt|umsteigen|umsteigt|migrieren|migriert|umziehen|umzieht|"
                r"switch|switches|switched|move|moves|moved|migrate|migrates|migrated)")
_TOPIC_NOUN = r"(?:\w*umstellung\w*|\w*migration\w*|\w*wechsel\w*|\w*umzug\w*|\w*umstieg\w*|migrations?|move|switch\w*)"
TOPIC_FRAMES = re.compile("|".join((
    # the customer's own switch as a condition or a goal: „Firmen, die bis März zu Microsoft 365 wechseln, …“,
    # "anyone who switches to …", "to get more businesses to switch to …"
    r",\s*(?:die|der|welche|das)\s+[^,.;:!?]*?\b" + _SWITCH_VERB + r"\b",
    r"\b(?:who|that|which)\s+(?:[\w'-]+\s+){0,3}?" + _SWITCH_VERB + r"\b",
    r"\b(?:get|gets|getting|encourage|encourages|encouraging|convince|convincing|persuade|persuading|motivate|"
    r"motivating)\s+(?:[\w'-]+\s+){0,4}?to\s+" + _SWITCH_VERB + r"\b",
    # a time frame: „nach der Umstellung“, „bei der Migration“, "after the migration", "during our move"
    r"\b(?:nach|vor|während|bei|seit)\s+(?:der|dem|einer|einem|unserer|unserem|ihrer|ihrem|eurer|eurem)\s+[\w-]+",
    r"\b(?:after|before|during|following|since)\s+(?:the|a|an|our|their|your|its)\s+(?:[\w-]+\s+){0,2}?"
    + _TOPIC_NOUN + r"\b",
    # what an activity shows or promotes: „… unsere Umstellung auf Microsoft 365 für Handwerksbetriebe bewerben“,
    # "showcase our migration offer"; and what a message says: „zeigen, dass wir Firmen auf Microsoft 365 umstellen“,
    # „eine SMS …, dass wir bei der Umstellung helfen“, "tell them that we move firms to Azure"
    r"\b" + _TOPIC_NOUN + r"\b[^,.;:!?]*?\b(?:bewerben|vorstellen|vorzustellen|präsentieren|vermarkten|anpreisen|"
    r"ankündigen|anzukündigen|zeigen)\b",
    r"\b(?:bewerben|bewirbt|präsentieren|präsentiert|vermarkten|vermarktet|promote|promotes|promoting|advertise|"
    r"advertises|advertising|showcase|showcases|showcasing|pitch|pitching|market|marketing|highlight|highlighting|"
    r"announce|announcing)\s+(?:[\w'-]+\s+){0,3}?" + _TOPIC_NOUN + r"\b",
    r"\b(?:zeigen|zeigt|erklären|erzählen|mitteilen|informieren|schreiben|betonen|sms|e-mail|mail|brief|newsletter|"
    r"nachricht)\b[^.;:!?]{0,40}?,?\s*dass\b[^.;:!?]*",
    r"\b(?:show|shows|showing|tell|tells|telling|explain|explains|explaining|say|says|saying)\s+(?:\w+\s+)?"
    r"that\b[^.;:!?]*",
)), re.IGNORECASE)
# Prepositions of audience right before a sector word without an article: "für Steuerberater", "for lawyers", „an
# Kanzleien“ name whom an activity addresses (`NotCovered.sectors`); "für unseren Steuerberater" names a bill
AUDIENCE_PREPOSITIONS = frozenset({"für", "fuer", "for", "an", "to", "bei", "among"})
# Microsoft's name before a word of the fund ("Microsoft-Co-op", "MS funds", „Microsoft-Budget“) names the fund
_COMPANY = frozenset({"microsoft", "ms", "msft"})
_FUND = frozenset({"co", "coop", "cooperative", "fund", "funds", "funding", "fonds", "budget", "budgets", "mittel",
                   "foerdermittel", "topf", "money", "geld", "gelder"})


def _without_offerings(tokens: tuple[str, ...], offerings: list[Term],
                       only: frozenset[str] | None = None) -> tuple[str, ...]:
    """`tokens` without the consecutive words that spell one of the `offerings` found in them — or, with `only`,
    without just those of their words that are in `only` (the audience word "teams" of "microsoft teams")."""
    if not offerings:
        return tokens
    kept = list(tokens)
    for term in offerings:
        for phrase in term.parts:
            n = len(phrase)
            for i in range(len(tokens) - n + 1):
                if tokens[i:i + n] == phrase:
                    kept[i:i + n] = ["" if only is None or w in only else w for w in phrase]
    return tuple(t for t in kept if t)


def _a_word(rest: str, vocabulary: frozenset[str]) -> bool:
    """Whether `rest` (the part of a compound after its first) reads as a word, maybe after a linking "s": it begins
    with a word of `vocabulary` of at least `MIN_COMPOUND_PART` letters ("seminare", "sschulung", "aktion"), or it
    is a longer part that begins with a consonant ("leiter", "kollegin") — the suffixes that make another word of an
    audience word begin with a vowel ("intern|ational", "intern|et", "personal|ised", "prospect|ive", "staff|ing")."""
    for part in (rest, rest[1:] if rest.startswith("s") else ""):
        if len(part) > MIN_COMPOUND_PART and part[0] not in _VOWELS:
            return True
        if any(part[:k] in vocabulary for k in range(MIN_COMPOUND_PART, len(part) + 1)):
            return True
    return False


def _one_word_only(terms: list[Term]) -> bool:
    """Whether every matched term is one word ("offer", "Veranstaltung", "pilot"; "landing page" is two): such a match
    needs corroboration before it decides."""
    return all(len(t.parts) == 1 and len(t.parts[0]) == 1 for t in terms)


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
    # a term listed in both languages is one reason, shown once
    return Decision(verdict, rule, "lexical", tuple(dict.fromkeys(t.raw for t in ordered)), confidence, reason="rule")
