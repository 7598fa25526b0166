"""Dialogue state and the deterministic reading of a follow-up in its conversation (issue #7, first part).

A conversation is state, not a transcript: the earlier user turns (oldest first) are replayed
through the checker to get the activities discussed, the open clarifying question (a `needs_info`
finding waiting for its audience) and the language. The current message is then read as one of:

- **social** — thanks or a greeting and nothing else: a short reply, never "no activity recognised";
- **new** — it names an activity of its own: answered as it stands, a new frame (a correction „Sorry, ich meinte
  eine SMS-Kampagne" is read without its opening: „eine SMS-Kampagne");
- **audience** — it names an audience and no activity ("Für unsere Kunden.", "no, for our staff",
  „und dasselbe für unsere Techniker?"): the last activity is checked again with that audience;
- **reference** — a process question pointing back ("Welche Nachweise brauche ich dafür?", "and when
  do we claim it?"): asked about the activities it points to (`Conversation.referenced`: an ordinal, a word of
  their own, else all of the last turn's);
- **recall** — an ordinal picks one of the last turn's activities and asks about it again („Das erste geht also,
  oder?", "and the second one — for our own staff?"): that activity checked again, with the audience the message names;
- **ellipsis** — a short fragment („Und Xing?", "What about Bing?", "SEO?"): checked in the frame
  of the last activity ("Xing" after "LinkedIn-Anzeigen" → "Xing Anzeigen"), else on its own; "the same for X"
  („Ist das gleiche auch für Bing möglich?") reads X so, or as a new question when X names an activity of its own.

The same history and question always give the same answer; the answer's `question` is the
message as sent and `resolved_question` what was checked.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from assistant.errors import InputError
from assistant.extract import acknowledges, asks_about_paying, language_of
from assistant.models import Answer, Finding, Language
from assistant.render import input_error_reply
from assistant.rules.matcher import names_which, without_negated
from assistant.text import OTHER_WORDS, clean_history, clean_question, words

if TYPE_CHECKING:
    from assistant.engine import Assistant

# dialogue states kept by a `Conversation` (the state after each replayed history; a 50-turn history is 50 of them)
STATES_KEPT = 512

TurnKind = Literal["social", "new", "audience", "reference", "ellipsis", "recall"]
_SOCIAL = frozenset({"zusammen", "allerseits", "everyone", "everybody", "folks",  # whom a greeting greets
                     "danke", "dankeschön", "vielen", "dank", "super", "prima", "perfekt", "klasse", "toll", "gut",
                     "ok", "okay", "alles", "klar", "hallo", "hi", "hey", "moin", "servus", "guten", "tag", "morgen",
                     "abend", "tschüss", "tschuess", "ciao", "bye", "thanks", "thank", "you", "great", "perfect",
                     "cool", "nice", "good", "hello", "cheers", "morning", "much", "sehr", "schön", "schoen", "top",
                     "verstanden", "got", "it", "understood", "lot", "a", "many", "bis", "dann", "noch", "einen",
                     "schönen", "schoenen", "have", "day", "ja", "yes", "und", "and"})
# a message of only these emoji acknowledges the answer, like "ok, thanks" (skin tones and the emoji presentation
# selector set aside): 👍 👌 🙏 👏 ✅ 🙂 😊 ☺
_SOCIAL_EMOJI = frozenset("\U0001F44D\U0001F44C\U0001F64F\U0001F44F\u2705\U0001F642\U0001F60A\u263A")
_EMOJI_MODIFIERS = re.compile("[\U0001F3FB-\U0001F3FF\uFE0F\\s]")
# a question how or when (a process question after thanks: "ok thanks, how fast should we claim …?")
_ASKS_HOW = re.compile(r"^\W*(how|when|what|which|wie|wann|was|welche\w*)\b", re.IGNORECASE)
# thanks and greetings: a short message with one of these and no activity or process question is social
_THANKS = frozenset({"danke", "dank", "dankeschoen", "dankeschön", "thanks", "thank", "thx", "ty", "merci", "cheers",
                     "hallo", "hello", "hi", "hey", "moin", "servus", "bye", "tschuess", "tschüss", "ciao"})
# prepositions that bring a detail ("im Mai", "in April", "am Freitag", "by Friday")
_DETAIL_PREPOSITIONS = frozenset({"im", "in", "am", "an", "ab", "bis", "seit", "zum", "on", "at", "by", "from", "until",
                                  "during"})
# what a follow-up naming only an audience may say besides it ("no sorry, I meant for our customers",
# „und dasselbe für unsere Techniker?"): corrections, references, function words
_AUDIENCE_FILLER = frozenset({"nein", "no", "nope", "sorry", "ich", "i", "meinte", "meine", "meant", "mean", "eigentlich",
                              "actually", "dasselbe", "das", "gleiche", "selbe", "same", "thing", "the", "for", "fuer",
                              "für", "fuers", "fürs", "unsere", "unser", "unseren", "unserer", "our", "own", "eigenen",
                              "eigene", "und", "and", "also", "auch", "what", "about", "was", "ist", "mit", "wie",
                              "sieht", "es", "aus", "gilt", "does", "that", "go", "dann", "then", "natuerlich",
                              "natürlich", "of", "course", "bitte", "please", "die", "den", "dem", "der", "an", "a",
                              "wenn", "if", "it", "is", "wäre", "waere", "were", "would", "be", "sein",
                              # what adds the audience to the earlier one ("… as well?", "… too?", „… ebenfalls?")
                              "too", "as", "well", "ebenfalls",
                              # … and what corrects it („Nein, doch für unsere eigenen Mitarbeiter.", "Sorry, it's for
                              # our own staff.", "rather", „sondern“: session 25, a new user's trial)
                              "doch", "s", "rather", "instead", "sondern", "eher", "lieber"})
# the longer openings first: "und" alone would leave „was ist mit Bing" of „Und was ist mit Bing?" (session 33, a kind from
# a readable dialogue probe: no finding at all)
_ELLIPSIS_START = re.compile(
    r"^\s*(und was ist mit|what about|how about|was ist mit|wie (ist|sieht) es (mit|aus mit)|"
    r"what of|same for|same thing for|the same for|dasselbe für|das gleiche für|gilt das auch für|does that go for|"
    r"and for|und|and|also|auch)\b", re.IGNORECASE)
# a platform named after a preposition („Und auf Xing?", "And for Bing?"): the preposition is not the platform's name
_PLATFORM_PREPOSITION = re.compile(r"^\s*(?:für|fuer|auf|bei|über|ueber|via|for|on|in|at)\s+", re.IGNORECASE)
# a follow-up that keeps the activity and changes who it is for
_SAME = re.compile(r"^\s*(?:(?:und|and|but|aber)\s+)?(?:(?:the\s+)?same(?:\s+thing)?\s+for|dasselbe\s+f(?:ü|ue)r|"
                   r"das\s+gleiche\s+f(?:ü|ue)r|gilt\s+das\s+auch\s+f(?:ü|ue)r|does\s+that\s+go\s+for)\b",
                   re.IGNORECASE)
# "the same" of a feminine, masculine or plural noun before "for X" („dieselbe Kampagne für Azure“, „die gleichen Anzeigen
# für Teams“); not read as the same activity for another audience (`_SAME_INSIDE`: that raised a false "eligible" on a
# blind dialogue set, session 32)
_SAME_GENDERED = r"dieselben?|denselben|derselbe|die\s+gleichen?|den\s+gleichen|der\s+gleiche"
# the earlier activity named again inside a follow-up ("what about running the same thing just for our own staff?",
# „und wenn wir das Gleiche nur für unsere eigenen Techniker machen?"); with an audience and no activity of its own
_SAME_INSIDE = re.compile(r"\b(?:(?:the\s+)?same(?:\s+thing)?|dasselbe|das\s*selbe|das\s+gleiche)\b", re.IGNORECASE)
# an answer to the audience question that names the partner's own people in words the audience terms do not list
# ("It's for our own sales and presales people.", "only for our dev team", „für unsere eigenen Leute aus dem Support"):
# folded words, read where the open question waits for its audience and no audience term was heard
_OWN_PEOPLE = re.compile(r"\b(?:our\s+own|unser\w*\s+eigene\w*)\b|\b(?:our|unser\w*)\s+(?:[\w-]+\s+){0,3}?"
                         r"(?:team|teams|people|folks|guys|staff|crew|department|leute|abteilung|truppe)\b")
# an opening that names the subject of the message („Zum Audit:", „Wegen der Reise –", "Regarding the trip,")
_ABOUT_OPENING = re.compile(r"^\W*(?:zu[mr]?|wegen|bzgl\.?|bezüglich|betreffend|regarding|re|about|as for|concerning)\s+"
                            r"(?:(?:the|dem|der|den|die|das|des)\s+)?(?P<noun>[\w-]+)\s*[:,–—-]", re.IGNORECASE)
# an opening that returns to an earlier activity ("Back to the training:", „Zurück zur Schulung –“)
_BACK_TO = re.compile(r"^\W*(?:(?:ok|okay|so|also|and|und|aber|but)\W+)*(?:back to|going back to|returning to|zurück zu[mr]?|"
                      r"nochmal zu[mr]?|noch einmal zu[mr]?)\s+(?:(?:the|our|dem|der|den|die|das|unserem|unserer)\s+)?"
                      r"(?P<noun>[\w-]+)\s*[:,–—-]", re.IGNORECASE)
# the audience an answer names, said the way the checker reads it
_AUDIENCE_PHRASE: dict[str, dict[str, str]] = {
    "de": {"customer": "für unsere Kunden", "internal": "für unser Team"},
    "en": {"customer": "for our customers", "internal": "for our own staff"},
}
_FOR = re.compile(r"\b(?:for|f(?:ü|ue)r)\b", re.IGNORECASE)
# an answer naming both audiences at once
_BOTH = frozenset({"both", "beides", "beide", "beiden"})
_AND: dict[str, str] = {"de": "und", "en": "and"}
# "the same for X" with X not an audience: a reference to the last activity, then what X changes in it ("Ist das
# gleiche auch für Xing möglich?", "Would the same work for Bing?", "Gilt das gleiche für eine SMS-Aktion?")
_SAME_FOR = re.compile(r"\b(?:(?:the\s+)?same(?:\s+thing)?|dasselbe|das\s*selbe|das\s+gleiche|das\s+ganze|the\s+whole\s+thing|"
                       + _SAME_GENDERED + r"|"
                       r"(?:das|that|this|it)\s+(?:auch|also))\b(?P<between>.*?)\b(?P<how>for|to|with|on|as|about|f(?:ü|ue)r|"
                       r"bei|mit|auf|als|(?:ü|ue)ber)\s+(?P<what>.+)$",
                       re.IGNORECASE | re.DOTALL)
# what may stand between the reference and its "for" ("… auch … möglich", "would the same work for"), and after X
_SAME_FILLER = frozenset({"auch", "also", "too", "as", "well", "möglich", "moeglich", "possible", "work", "works",
                          "nochmal", "noch", "mal", "again",
                          "apply", "applies", "go", "goes", "gehen", "gelten", "klappen", "funktionieren", "be", "sein",
                          "wäre", "waere", "would", "is", "ist", "dann", "then", "so", "gilt", "geht"})
# what a trailing clause of an elliptic follow-up may say ("Xing, same thing?", „Xing, genauso?")
_TRAILING_FILLER = _SAME_FILLER | frozenset({"same", "thing", "the", "dasselbe", "das", "gleiche", "selbe", "genauso",
                                             "ebenso", "ebenfalls", "again", "nochmal", "right", "oder", "or"})
_REPLIES = {
    "de": "Gern geschehen! Fragen Sie jederzeit nach weiteren Aktivitäten — ich prüfe sie anhand der Co-op-Guidance.",
    "en": "You're welcome! Ask about any other activity at any time — I'll check it against the Co-op guidance.",
}
# … to a message that only acknowledges the answer or drops the matter, with no thanks ("Fine, forget it.", „Schade.")
_ACK_REPLIES = {
    "de": "Alles klar. Fragen Sie jederzeit nach weiteren Aktivitäten — ich prüfe sie anhand der Co-op-Guidance.",
    "en": "All right. Ask about any other activity at any time — I'll check it against the Co-op guidance.",
}
# … and to a greeting that thanks for nothing ("Hi there!", „Hallo zusammen“)
_GREETING_REPLIES = {
    "de": "Hallo! Nennen Sie mir die Aktivität, die Sie mit Co-op-Mitteln bezahlen möchten — ich prüfe sie anhand der "
          "Co-op-Guidance.",
    "en": "Hello! Tell me which activity you would like to pay for with Co-op funds — I'll check it against the Co-op "
          "guidance.",
}
_GREETING = frozenset({"hallo", "hello", "hi", "hey", "moin", "servus", "guten", "morning"})
_CORRECTION = frozenset({"no", "nein", "not", "nicht", "sorry"})
# how a correction opens („Sorry, ich meinte …", "No, I meant …", „Korrektur: gemeint war …"): the words of the
# conversation, not of the activity the partner means, which is what follows them
_CORRECTION_OPENING = re.compile(
    r"^\s*(?:(?:nein|no|nope|sorry|oh|ach|oops|hoppla|pardon|entschuldigung|korrektur|correction|sry)\b[\s,.!:;–-]*)*"
    r"(?:ich\s+meinte|ich\s+meine|i\s+meant|i\s+mean|gemeint\s+war|what\s+i\s+meant\s+was|meinte|meant|"
    r"(?:ich\s+)?hab(?:e)?\s+mich\s+(?:vertan|verschrieben|vertippt)|mein\s+fehler|my\s+(?:bad|mistake)|"
    r"i\s+was\s+wrong|"
    # … or said as a clarification ("sorry, I should be clearer –", "to clarify:", „genauer gesagt:“; session 27, a kind
    # from a readable dialogue probe)
    r"i\s+should\s+(?:be|have\s+been)\s+clearer|to\s+be\s+clearer|let\s+me\s+(?:clarify|rephrase)|to\s+clarify|"
    r"i\s+should\s+have\s+said|genauer\s+gesagt|anders\s+gesagt|besser\s+gesagt|ich\s+hätte\s+sagen\s+sollen|"
    r"zur\s+klarstellung)\b[\s,.!:;–-]*"
    # … or the correction named with a sign after it („Moment, Korrektur – …", "Wait, correction: …")
    r"|^\s*(?:(?:moment|wait|hold on|oh|ach|sorry|nein|no)\b[\s,.!]*)*(?:korrektur|correction|berichtigung)\s*[:–—-]+\s*"
    # … or only a pause word before a dash („Nein, Moment – das Training ist doch für Kunden.“, "No, wait – …"; session 27,
    # a new user's trial: „Moment“ was read as part of the activity)
    r"|^\s*(?:(?:nein|no|nope|sorry|oh|ach)\b[\s,.!]*)*(?:moment|wait|hold on|warte|stopp|stop)\b[\s,.!]*[–—-]+\s*",
    re.IGNORECASE)
# words that pick one of the activities the last turn named ("the first one", „die zweite", "the latter")
_ORDINALS = {"first": 0, "former": 0, "1st": 0, "erste": 0, "ersten": 0, "erstes": 0, "erster": 0, "erstere": 0,
             "ersteres": 0, "second": 1, "2nd": 1, "zweite": 1, "zweiten": 1, "zweites": 1, "zweiter": 1,
             "third": 2, "3rd": 2, "dritte": 2, "dritten": 2, "drittes": 2, "dritter": 2,
             "fourth": 3, "4th": 3, "vierte": 3, "vierten": 3, "viertes": 3, "vierter": 3,
             "fifth": 4, "5th": 4, "fünfte": 4, "fünften": 4, "fünftes": 4, "fünfter": 4, "fuenfte": 4, "fuenften": 4,
             "sixth": 5, "6th": 5, "sechste": 5, "sechsten": 5, "sechstes": 5, "sechster": 5,
             "latter": -1, "letztere": -1, "letzteres": -1, "letzteren": -1,
             "last": -1, "letzte": -1, "letzten": -1, "letztes": -1, "letzter": -1}
# a hyphenated compound ("first-aid", „Erste-Hilfe-Kurs"): its words name a thing, not a position
_COMPOUND = re.compile(r"\w+(?:-\w+)+")
_INDEFINITE = frozenset({"a", "an", "ein", "eine", "einen", "einem", "einer", "eines"})
# an item named by its number ("number 4", „Nr. 4", „Punkt 4", "item 2", "Position 3")
_NUMBER_WORDS = frozenset({"number", "no", "nr", "nummer", "punkt", "item", "position", "pos", "posten"})
# "last"/„letzte" before one of these is a time, not an item („letztes Jahr", "last year", "the last time")
_TIME_AFTER = frozenset({"year", "month", "week", "quarter", "time", "jahr", "jahres", "monat", "monats", "woche",
                         "quartal", "quartals", "mal", "halbjahr"})
MIN_NAMED_PREFIX = 4  # "die Reise" names "Reise für unsere Top-Verkäufer", "the trips" names "a trip to Rome"
_ABOUT = {"de": "Zu {activities}:", "en": "About {activities}:"}
# what a process follow-up says about an activity the guidance does not decide: no reminders to give yet
_UNDECIDED = {"de": "- Die Guidance entscheidet diese Aktivität nicht: Klären Sie vorab mit Partner Care, ob und wie sie über "
                    "Co-op laufen kann — und dabei auch, welche Nachweise nötig sind.",
              "en": "- The guidance does not decide this activity: check with Partner Care first whether and how Co-op can "
                    "cover it — and which proof it would need."}
_NAMED = {"de": ("„{}“", " und "), "en": ("“{}”", " and ")}
# what a process follow-up says about an activity the guidance excludes: no proof or claim to prepare
_EXCLUDED = {"de": "- Die Guidance schließt das von Co-op aus: Dafür gibt es keinen Co-op-Nachweis und keinen Claim.",
             "en": "- The guidance excludes this from Co-op: there is no Co-op proof or claim to prepare for it."}
MAX_SOCIAL_WORDS = 6
# a definite article opening a follow-up's fragment („das Event", "the event"): it names something already discussed
_DEFINITE = re.compile(r"(?:der|die|das|den|dem|des|the)\s", re.IGNORECASE)
# a sentence or clause of thanks, greeting and assent words that opens a message („Danke. Und die Weihnachtsfeier?",
# "Thanks! And the dinner …?"): a follow-up after it is read (session 29, a new user's trial: such got "You're welcome")
_SOCIAL_OPENING = re.compile(r"^\s*(?P<head>[^.!?;:,–]+)[.!;:,–]+\s+(?=\S)")
MAX_BARE_FRAGMENT_WORDS = 2  # a fragment with no follow-up opening is short ("SEO?"), not a whole question
MAX_ELLIPSIS_WORDS = 4
# words besides a Microsoft offering's name that may say which of the partner's businesses a follow-up means ("our
# Microsoft 365 onboarding service", „unser Azure-Backup-Angebot“) — more is a description of its own
OFFERING_NOUNS_MAX = 2
# the word that joins an activity and its audience in a resolved follow-up ("<activity> for our techies")
_FOR_WORD: dict[str, str] = {"de": "für", "en": "for"}
# what an activity was for, from its first preposition of purpose on („Google-Anzeigen für unser Workspace-Angebot“)
_PURPOSE_TAIL = re.compile(r"\s+(?:für|fuer|for|zu|zum|zur|about|promoting|on|über|ueber)\s.*$", re.IGNORECASE | re.DOTALL)
MIN_COMPOUND_REST = 4  # letters after an audience word that make a compound of it („Kunden|event"), not an ending


def _discussed_named(said: list[str], state: DialogueState) -> list[Discussed]:
    """The activities of `state` that one of the words `said` (of MIN_NAMED_PREFIX letters or more) names by a word of
    their own, once each, in the order discussed."""
    said = [w for w in said if len(w) >= MIN_NAMED_PREFIX]
    named = [d for d in state.discussed if any(_same_word(w, c) for w in words(d.core) for c in said)]
    return list({d.activity: d for d in named}.values())


def _without_purpose(activity: str) -> str:
    """The activity without what it was for („Google-Anzeigen für unser Workspace-Angebot“ → „Google-Anzeigen“)."""
    return _PURPOSE_TAIL.sub("", activity).strip() or activity


def _same_word(a: str, b: str) -> bool:
    """Two folded words of one stem: the shorter, of at least `MIN_NAMED_PREFIX` letters, starts the longer, which
    adds at most two letters of an ending ("reise"/"reisen", "trip"/"trips"; not "stand"/"standort")."""
    short, long_ = sorted((a, b), key=len)
    return len(short) >= MIN_NAMED_PREFIX and long_.startswith(short) and len(long_) - len(short) <= 2


def _ordinal_group(state: DialogueState) -> list[Discussed]:
    """What an ordinal counts in: the activities of the last turn that named two or more, else every activity the
    conversation discussed, in order, each once („Das erste geht also?" after one activity per turn)."""
    if len(state.last_turn) >= 2:
        return state.last_turn
    return list({d.activity: d for d in state.discussed}.values())


def _head_of(word: str, compound: str) -> bool:
    """Whether `word`, of at least `MIN_NAMED_PREFIX` + 1 letters, ends the longer folded `compound` („workshop" of
    „kundenworkshop")."""
    return len(word) > MIN_NAMED_PREFIX and len(compound) > len(word) and compound.endswith(word)


def _ordinals(text: str) -> list[int]:
    """The positions the text names, in its order: ordinals ("the second one", „die vierte", "the latter", "the last
    one"; not "last year") and numbers after a word for one ("number 4", „Nr. 4") — 0-based, -1 the last. An
    ordinal inside a compound ("a first-aid course", „ein Erste-Hilfe-Kurs") or after an indefinite article ("a first
    aid course", „eine erste Schulung") picks nothing: a reference to an earlier item is definite."""
    tokens = words(_COMPOUND.sub(" ", text))
    found = []
    for n, t in enumerate(tokens):
        after = tokens[n + 1] if n + 1 < len(tokens) else ""
        if n > 0 and tokens[n - 1] in _INDEFINITE:
            continue
        if t in _ORDINALS and not (_ORDINALS[t] == -1 and after in _TIME_AFTER):
            found.append(_ORDINALS[t])
        elif t.isdigit() and n > 0 and tokens[n - 1] in _NUMBER_WORDS and 0 < int(t) <= 20:
            found.append(int(t) - 1)
    return found


def _picked(text: str, group: list[Discussed]) -> list[Discussed]:
    """The activities of `group` the positions in `text` pick (`_ordinals`), in the text's order; one beyond the
    group picks none."""
    return [group[at] for at in _ordinals(text) if -len(group) <= at < len(group)]


# how a recalled activity is asked about (`_asked`)
_RECALL_FRAME = {"de": " – geht das über Co-op?", "en": " – can Co-op pay for it?"}


def _asked(activity: str, language: Language | None) -> str:
    """An earlier activity checked again, as a question whether Co-op pays for it: the activity label as written
    ("LinkedIn campaign") is asked about, not said (session 25, a new user's trial: "the first one" after three
    activities found none), and with the pay frame, so its words are not read as a process question (session 26, a
    kind from a readable dialogue probe: "newsletter series to 1,500 contacts?" read as asking for Partner Care's
    contact)."""
    frame = _RECALL_FRAME[language or "de"]
    return f"{activity.rstrip(' .!?')}{frame}"


# another name proposed for what "it" is, the name included: "call it X", "book it as X", „nennen es X“, „es als X
# abrechnen“ (`Conversation.read`)
_RELABEL = re.compile(
    r"\b(?:call|name|label|book|claim|submit|file|list|count|treat|expense)\s+(?:it|this|that|them)\s+(?:as\s+)?"
    r"[^?.!,;:]{2,60}|\b(?:nenn|buch|verbuch|abrechn|einreich|deklarier)\w*\s+(?:wir\s+)?(?:es|das|sie|ihn)\s+"
    r"(?:(?:doch|einfach|dann)\s+)*(?:(?:als|unter)\s+)?[^?.!,;:]{2,60}|\b(?:es|das|sie|ihn)\s+(?:(?:doch|einfach|dann)\s+)*"
    r"(?:(?:als|unter)\s+)?[^?.!,;:]{2,60}?\s+(?:nennen|nennt|buchen|verbuchen|abrechnen|einreichen|deklarieren)\b",
    re.IGNORECASE)
_RELABEL_FILLER = frozenset({"instead", "stattdessen", "then", "dann", "just", "simply", "einfach", "doch"})


def _names_activity(findings: list[Finding]) -> bool:
    """Whether a message's own findings name an activity: a rule decided one, or one waits for its audience."""
    return any(f.rule_id or f.verdict == "needs_info" for f in findings)


@dataclass(frozen=True)
class Discussed:
    """One activity the conversation discussed: as written, without its audience, and how it was decided."""

    activity: str
    core: str  # the activity without audience words ("Workshop für unsere Kunden" → "Workshop")
    rule_id: str | None
    verdict: str
    terms: tuple[str, ...]


@dataclass
class DialogueState:
    """What the conversation so far established (rebuilt from the earlier user turns)."""

    language: Language | None = None
    discussed: list[Discussed] = field(default_factory=list)  # oldest first
    last_turn: list[Discussed] = field(default_factory=list)  # the activities of the latest turn that named any
    pending: Discussed | None = None  # the activity of an open needs_info question

    @property
    def last(self) -> Discussed | None:
        return self.discussed[-1] if self.discussed else None

    def copy(self) -> DialogueState:
        """A state to change without changing this one (its lists are new; `Discussed` is frozen)."""
        return DialogueState(self.language, list(self.discussed), list(self.last_turn), self.pending)

    @property
    def activities(self) -> list[str]:
        return [d.activity for d in self.discussed]

    @property
    def target(self) -> Discussed | None:
        """The activity an audience turn decides again: the open question's, else the last one discussed."""
        return self.pending or self.last


class Conversation:
    """Answers a message in the context of the earlier user messages (oldest first)."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        terms = [t for b in assistant.rules.audiences.values() for t in b.all()]
        phrases = sorted({tuple(words(t)) for t in terms if " + " not in t and len(words(t)) > 1})
        self._audience_phrases = [re.compile(r"\b" + r"[\s-]+".join(map(re.escape, p)) + r"\b", re.IGNORECASE)
                                  for p in phrases]
        # the audience words a compound may begin with, longest first („Mitarbeiter|schulung", `_without_audience_head`)
        self._audience_heads = sorted(assistant.rules.audience_one_words, key=len, reverse=True)
        # the state after each history replayed (its earlier turns a tuple, the UI's language): a dialogue's next line
        # in a batch, or its next chat turn, replays only its newest turn (`state`); bounded, thread-safe
        self._after = functools.lru_cache(maxsize=STATES_KEPT)(self._state_after)

    def answer(self, question: object, history: object = None, qid: str | None = None,
               ui_language: Language = "de") -> Answer:
        """The contract's answer to `question` read in `history` (earlier user messages, oldest first); without
        history, a new conversation. A history outside `text.clean_history`'s policy (not a list of strings, more
        than `max_history_turns` messages or `max_history_chars` characters, a message over `max_question_chars`)
        gets an error answer saying what to change, in the question's language."""
        settings = self.assistant.settings
        try:
            turns = clean_history([] if history is None else history, settings.max_question_chars,
                                  settings.max_history_turns, settings.max_history_chars)
        except InputError as exc:
            shown = question if isinstance(question, str) else ""
            language = language_of(shown[:2000]) or ui_language
            return Answer.for_error(str(exc), qid, shown, language, input_error_reply(exc, language))
        state = self.state(turns, ui_language)
        if not isinstance(question, str):
            return self.assistant.answer(question, qid)
        # text that is no question gets the engine's error answer, in the language of its own words, else the
        # conversation's or the UI's (session 28, a new user's trial: garbled text in the English UI was told so in German)
        try:
            text = clean_question(question, self.assistant.settings.max_question_chars)
        except Exception:  # noqa: BLE001 - the engine turns bad input into an error answer
            return self.assistant.answer(question, qid, language=state.language or ui_language)
        language = language_of(text) or state.language or ui_language
        kind, resolved = self.read(text, state)
        if kind == "social":
            said = set(words(text))
            replies = _GREETING_REPLIES if said & _GREETING and not said & (_THANKS - _GREETING) else \
                _ACK_REPLIES if acknowledges(text) and not said & _THANKS else _REPLIES
            return Answer(id=qid, question=text, language=language, answer=replies[language],
                          guidance_version=self.assistant.knowledge.version, turn="social")
        if kind == "reference" and state.last is not None:
            # a process question about earlier activities: each one's reminders (its POE, the claim tip), then the
            # process answer; the activities are not asked again (no finding)
            answer = self.assistant.answer(text, qid, language=language, process_only=True)
            about = self._about(self.referenced(text, state), language)
            answer.answer = "\n\n".join([*about, answer.answer])
        else:
            answer = self.assistant.answer(resolved, qid, language=language)
        answer.question = text
        answer.resolved_question = resolved if resolved != text else None
        answer.turn = kind
        target = state.target
        if kind == "audience" and target is not None:  # `read` puts the audience to the open or the last activity
            answer.supersedes = [target.activity]
        return answer

    def prime(self, questions: list[object]) -> None:
        """Batch mode: prepare the retrieval of a block of questions at once (`Assistant.prime`)."""
        self.assistant.prime(questions)

    def leans_on_context(self, question: str, history: list[str], ui_language: Language = "de") -> bool:
        """Whether `question` continues its conversation without naming an activity of its own — an ellipsis, an
        audience, a reference, or a question no reading resolves ("Ist das gleiche auch für Xing möglich?"): where
        the optional condense step (`assistant.chains.condense`) may rewrite it. False without an earlier activity,
        for thanks and greetings, and for a message that names its own activity."""
        try:
            text = clean_question(question, self.assistant.settings.max_question_chars)
        except Exception:  # noqa: BLE001 - bad input is the engine's to answer
            return False
        state = self.state(history, ui_language)
        if state.last is None:
            return False
        kind, _ = self.read(text, state)
        own = self.assistant.checker.check(text, language=state.language or ui_language)
        return kind != "social" and not _names_activity(own.findings)

    def state(self, history: list[str], ui_language: Language = "de") -> DialogueState:
        """Replay the earlier turns through the checker (no retrieval): activities, open question, language. The
        state after every prefix of the history is kept (`STATES_KEPT` of them, least recently used out), so a history
        that extends one replayed before costs one turn; the same turns always give the same state."""
        turns = tuple(t for t in history if isinstance(t, str) and t.strip())
        return self._after(turns, ui_language).copy()

    def _state_after(self, turns: tuple[str, ...], ui_language: Language) -> DialogueState:
        """The state after `turns` (non-empty strings): the state after all but the last (kept, `_after`), then the
        last one replayed on a copy — a kept state is never changed."""
        if not turns:
            return DialogueState()
        state = self._after(turns[:-1], ui_language).copy()
        try:
            text = clean_question(turns[-1], self.assistant.settings.max_question_chars)
        except Exception:  # noqa: BLE001 - an unreadable earlier turn adds nothing
            return state
        state.language = language_of(text) or state.language
        kind, resolved = self.read(text, state)
        if kind in ("social", "reference"):
            return state
        check = self.assistant.checker.check(resolved, language=state.language or ui_language)
        found = [Discussed(f.activity, self.core(f.activity), f.rule_id, f.verdict, tuple(f.matched_terms))
                 for f in check.findings]
        target = state.target
        if kind == "audience" and target is not None and len(found) == 1:
            # the activity decided again takes the earlier one's place: a later "which proof for the workshop?"
            # or "the first one" is about the workshop as decided now, not about the open question before it
            state.discussed = [d for d in state.discussed if d is not target]
            state.last_turn = [found[0] if d is target else d for d in state.last_turn] \
                if target in state.last_turn else found
        else:
            state.last_turn = found or state.last_turn
        state.discussed += found
        pending = [d for d in found if d.verdict == "needs_info"]
        state.pending = pending[-1] if pending else None
        return state

    def referenced(self, text: str, state: DialogueState) -> list[Discussed]:
        """The earlier activities a follow-up points to: the one an ordinal picks among the last turn's ("the second
        one", „die erste"), else those it names by a word of their own („die Reise" → "Reise nach Rom für unsere
        Top-Verkäufer"), else every activity of the last turn that named any ("Welche Nachweise brauche ich dafür?"
        after two activities asks about both). Empty without an earlier activity."""
        group = state.last_turn or state.discussed[-1:]
        picked = _picked(text, _ordinal_group(state))
        if picked:
            return picked[:1]
        named = self._named(text, state)
        if named:
            return named
        # … else those decided by a rule whose words the message uses ("the trade fair" → the stand at the it-sa)
        rules = self._rules_named(text, set())
        return list({d.activity: d for d in state.discussed if d.rule_id in rules}.values()) or group

    def _rules_named(self, text: str, audience: set[str]) -> set[str]:
        """The ids of the rules whose terms `text` uses (`Matcher.lexical_hits`, for `audience`)."""
        named, _ = self.assistant.matcher.lexical_hits(tuple(words(self.assistant.rules.expand(text))), audience)
        return {rule.id for rule, _terms in named}

    def _named(self, text: str, state: DialogueState) -> list[Discussed]:
        """The earlier activities `text` names by a word of their own („die Reise", "the audit"), once each."""
        return _discussed_named(self.assistant.checker.content_words(text), state)

    def _returned_to(self, text: str, state: DialogueState) -> tuple[TurnKind, str] | None:
        """An opening that names one earlier activity, then its audience ("Back to the training: it's for our customers'
        finance teams.", „Zum Workshop: für unsere Kunden.“): the audience turn for that activity, not for the last one
        discussed (session 27, a kind from a readable dialogue probe). None otherwise."""
        opening = _BACK_TO.match(text) or _ABOUT_OPENING.match(text)
        rest = text[opening.end():].strip() if opening else ""
        # the noun as said, not its content words: "training" is an audience word too ("in-house training")
        named = _discussed_named(words(opening.group("noun")), state) if opening and rest else []
        if len(named) != 1:
            return None
        bound = state.copy()
        bound.pending = named[0]
        kind, resolved = self.read(rest, bound)
        return (kind, resolved) if kind == "audience" else None

    def _about(self, referenced: list[Discussed], language: Language) -> list[str]:
        """For each activity a heading naming it, with the guidance's reminders for it (proof of execution, claims);
        for an activity the guidance excludes, that it has no proof or claim; for one it does not decide, to ask Partner
        Care first. Activities with the same reminders share one heading („Zu „LinkedIn-Anzeigen“ und „Messestand“:“)."""
        bodies: dict[str, list[str]] = {}  # reminder lines → the activities they are for, in order
        for d in referenced:
            if d.verdict == "not_eligible":
                body = _EXCLUDED[language]
            else:
                findings = self.assistant.checker.check(d.activity, language=language).findings
                asked = Answer(question=d.activity, language=language, findings=findings)
                body = "\n".join(f"- {text} (— {section})" for text, section in self.assistant.reminders_for(asked)) \
                    or _UNDECIDED[language]
            bodies.setdefault(body, []).append(d.activity)
        named, joiner = _NAMED[language]
        return ["\n".join([_ABOUT[language].format(activities=joiner.join(named.format(a) for a in activities)), body])
                for body, activities in bodies.items()]

    def _without_audience_phrases(self, text: str) -> str:
        """`text` without every span a multi-word audience term covers (overlapping ones together: "our sales" and
        "sales team" take "our sales team")."""
        covered = [False] * len(text)
        for pattern in self._audience_phrases:
            for m in pattern.finditer(text):
                covered[m.start():m.end()] = [True] * (m.end() - m.start())
        return "".join(" " if gone else ch for ch, gone in zip(text, covered, strict=True))

    def core(self, activity: str) -> str:
        """The activity without its audience ("Workshop für unsere Kunden" → "Workshop", "Kunden-Bootcamp" and
        "Kundenworkshop" → "Bootcamp", "Workshop"; "Schulung für unser Team" → "Schulung") and its details (rule data
        `detail_words`: "im Mai einen Workshop" → "einen Workshop")."""
        said = self.assistant.rules.audience_one_words | _AUDIENCE_FILLER
        details = self.assistant.rules.detail_set
        activity = self._without_audience_phrases(activity)  # "für unser Team", "for our sales team"
        # a detail word that is part of a rule term found in the activity is the activity's name („Floor Day“); the
        # terms are looked up only when a detail word is there
        named: set[str] = set()
        if details.intersection(words(activity)):
            named = {w for _rule, terms in self.assistant.matcher.lexical_hits(tuple(words(activity)), set())[0]
                     for t in terms for part in t.parts for w in part}
        kept: list[str] = []
        for w in activity.split():
            own = set(words(w))
            if own and own <= details and not own & named and "-" not in w:
                # a detail said on its own goes, with the preposition that brings it ("im Mai", "in April"); one inside
                # a compound stays ("two-day", „2-tägiger“): the label reads as written
                if kept and kept[-1].lower() in _DETAIL_PREPOSITIONS:
                    kept.pop()
                continue
            parts = w.split("-")
            # inside a compound only the audience goes ("Kunden-Bootcamp"); its function words stay ("proof-of-concept")
            dropped = said if len(parts) == 1 else self.assistant.rules.audience_one_words
            kept.append("-".join(self._without_audience_head(part) for part in parts if not set(words(part)) & dropped))
        return " ".join(w for w in kept if w.strip("-")) or activity

    def _without_audience_head(self, word: str) -> str:
        """A German compound without the audience word it begins with, when at least `MIN_COMPOUND_REST` letters
        follow („Kundenworkshop" → „Workshop", „Mitarbeiterschulung" → „Schulung"); other words as they are. Without
        this, "und für unsere Techniker?" after a „Kundenworkshop" asked about a „Kundenworkshop für unsere
        Techniker" (a new user's trial, session 16)."""
        lower = word.lower()
        if any(lower.startswith(other) for other in OTHER_WORDS):  # „Internetseite" begins with no „intern"
            return word
        for head in self._audience_heads:
            if lower.startswith(head) and len(word) - len(head) >= MIN_COMPOUND_REST and word[len(head)].isalpha():
                return word[len(head)].upper() + word[len(head) + 1:]
        return word

    def read(self, text: str, state: DialogueState) -> tuple[TurnKind, str]:
        """How the message continues the conversation, and the text to check.

        Thanks that open a follow-up („Danke. Und die Weihnachtsfeier?") are set aside first, and so is a correction's
        opening („Sorry, ich meinte …", "no, I meant …"): what follows is read.
        In this order: only thanks/greeting words, or only acknowledging emoji ("👍") → social; no earlier activity →
        new; an audience and nothing else that could be an activity → audience (for the open or last activity); with an
        open audience question, a
        message the checker finds nothing in that names one audience (what a negation denies set aside) → audience,
        said the way the checker reads it; thanks that ask nothing → social; a short fragment opening like a follow-up
        („Und …?", "What about …?") that, put in the last activity's frame, names an activity by its own words (a term
        match) → ellipsis; a process question naming no activity → reference (to the last activity); an activity of
        its own → new; a bare fragment ("SEO?") that fits the frame → ellipsis; thanks in a few words → social; else
        new.
        """
        tokens = words(text)
        # … a word of two letters or more among them: single letters are no thanks (garbled text folds to "a a a":
        # session 26, a new user's trial got „Gern geschehen!“ for mojibake)
        if tokens and all(t in _SOCIAL for t in tokens) and any(len(t) > 1 for t in tokens):
            return "social", text
        if acknowledges(text):  # "ok, makes sense", "fair enough" (session 30, a kind from a readable dialogue probe)
            return "social", text
        emoji = _EMOJI_MODIFIERS.sub("", text)
        if emoji and set(emoji) <= _SOCIAL_EMOJI:  # "👍", "🙏🏼"
            return "social", text
        after: str = text
        opened: list[str] = []
        while (opening := _SOCIAL_OPENING.match(after)) and all(t in _SOCIAL for t in words(opening.group("head"))):
            after, opened = after[opening.end():], opened + words(opening.group("head"))
        thanked = bool(_THANKS.intersection(opened))  # thanks said in an opening, not inside a question
        if state.last is not None and thanked and _ELLIPSIS_START.match(after) and asks_about_paying(after):
            # „Danke. Und die Weihnachtsfeier?", "Ok, thanks! And the dinner for our sales team?": the follow-up — not
            # a wish that goes with the thanks ("Thanks, and have a good weekend.": session 34, a readable dialogue probe)
            return self.read(after, state)
        last = state.last
        if last is None:
            short = len(tokens) <= MAX_SOCIAL_WORDS or ("?" not in text and len(tokens) <= 3 * MAX_SOCIAL_WORDS)
            if set(tokens) & _THANKS and short and not asks_about_paying(text):
                # a greeting that opens the conversation ("Hi there!", „Hallo zusammen“), or thanks with a signature that
                # ask nothing ("Thanks a lot for the quick help yesterday! Best, Mark"): social when the checker finds
                # nothing in it
                own = self.assistant.checker.check(text, language=state.language)
                if not (own.findings or own.topics or own.process):
                    return "social", text
            return "new", text
        opening = _CORRECTION_OPENING.match(text)
        if opening and text[opening.end():].strip():  # „Sorry, ich meinte eine SMS-Kampagne": „eine SMS-Kampagne"
            text = text[opening.end():].strip()
            tokens = words(text)
        returned = self._returned_to(text, state)
        if returned is not None:
            return returned
        # thanks said, and no question beside them (`_asks_more`) unless the thanks opened the message
        thanks = bool(set(tokens) & _THANKS) and (thanked or not self._asks_more(text))
        checker = self.assistant.checker
        own = checker.check(text, language=state.language)
        if _RELABEL.search(text) and not any(f.verdict == "not_eligible" for f in own.findings) and not [
                w for w in checker.content_words(_RELABEL.sub(" ", text))
                if w not in self.assistant.rules.particle_set and w not in _RELABEL_FILLER]:
            # another name for what was discussed ("What if we call it a customer event?", „Und wenn wir es als
            # Kundenevent abrechnen?"): a name changes nothing, the activity as described is checked again (session 26,
            # a new user's trial: a staff Christmas party renamed had been eligible as an event) — unless the new name
            # is an exclusion („… als MDF-Projekt einreichen“): that is a verdict of its own
            return "recall", _asked((state.target or last).activity, state.language)
        names_activity = _names_activity(own.findings)
        audiences_in = self.assistant.matcher.audiences_in
        audience = audiences_in(tuple(tokens))
        said_only = self.assistant.rules.audience_words | _AUDIENCE_FILLER
        # … and the word between a possessive and an audience noun names which of them ("for our support staff")
        rest = [t for n, t in enumerate(tokens)
                if t not in said_only and not audiences_in((t,)) and not names_which(tokens, n, said_only)]
        # "same thing for our internal presales folks?": the same activity, for whom the rest describes
        same = _SAME.match(text)
        inside = _SAME_INSIDE.search(text)
        if audience and not names_activity and (not rest or same or inside):
            target = state.target or last
            for_word = _FOR_WORD[state.language or "en"]
            if same:  # "the same thing for our sales team" → "<activity> for our sales team"
                return "audience", f"{target.core} {for_word} {text[same.end():].strip()}"
            whom = list(_FOR.finditer(text))
            if inside and whom:  # "… das Gleiche nur für unsere Techniker machen?" → "<activity> für unsere Techniker machen?"
                return "audience", f"{target.core} {for_word} {text[whom[-1].end():].strip()}"
            if inside:
                # people named without "for" are no audience of the same activity („Und das gleiche als Stellenanzeige,
                # um Vertriebler zu suchen?“: session 33, a new user's trial — the ad was checked again for "Und das
                # gleiche als …"): what the message says the same thing is, as a question of its own
                return self._same_for(text, last, state.language) or ("new", text)
            # "Sorry, I meant for our customers." → "for our customers."; "no, our customers"
            said = [w for w in text[whom[-1].start() if whom else 0:].split() if not set(words(w)) & _CORRECTION]
            if whom and said:  # „Für unsere Kunden." joins the activity's label in lower case: „Copilot-Schulung für …"
                said[0] = said[0].lower()
            return "audience", f"{target.core} {' '.join(said)}"
        bound = state.pending or (last if self._depends_on_audience(last) else None)
        if bound is not None and not own.findings and not own.topics and not own.process:
            # the answer to the open audience question, or a corrected audience for an activity whose category
            # depends on it, in the partner's own words ("Teilnehmen werden ausschließlich Kunden.", "Only customers,
            # not our staff.", „Korrektur: doch nicht für Kunden, sondern für unsere Vertriebler."): one audience, once
            # what a negation denies is set aside, and nothing else the checker recognises
            kept = without_negated(tuple(tokens))
            heard = audiences_in(kept) or ({"internal"} if _OWN_PEOPLE.search(" ".join(kept)) else set())
            phrase = _AUDIENCE_PHRASE[state.language or "de"]
            if len(heard) == 1:
                return "audience", f"{bound.core} {phrase[heard.pop()]}"
            if (heard == {"customer", "internal"} or _BOTH.intersection(kept)) and not [
                    t for t in kept if t not in said_only and t not in _BOTH and not audiences_in((t,))]:
                # both audiences ("Beides, Kunden und unsere Consultants.", "Both.", „Für beide.“): the activity for
                # each, two findings (session 25, a new user's trial: "could not find an activity")
                return "audience", f"{bound.core} {phrase['customer']} {_AND[state.language or 'de']} " \
                                   f"{bound.core} {phrase['internal']}"
        if bound is not None and len(own.findings) == 1 and names_activity:
            # the answer said whole, naming the activity again ("The workshop is for our customers.", „Der Workshop
            # ist für unsere Vertriebler."): the same activity (its words and no others) and one audience
            kept = without_negated(tuple(tokens))
            heard = audiences_in(kept)
            activity_words = [w for w in checker.content_words(text) if w not in self.assistant.rules.particle_set]
            # … the partner's own people in words the audience terms do not list („Die Schulung ist für unsere eigenen
            # Admins.“: session 33, a kind from a readable dialogue probe — it had asked for the audience again): what
            # follows "our own" names them, not the activity
            kept_text = " ".join(kept)
            people = None if heard else _OWN_PEOPLE.search(kept_text)
            if people is not None:
                heard = {"internal"}
                named = set(kept_text[people.start():].split())
                activity_words = [w for w in activity_words if w not in named]
            core = words(bound.core)
            if len(heard) == 1 and all(any(_same_word(w, c) or _head_of(w, c) for c in core) for w in activity_words):
                # in the message's own words ("Workshop", not the earlier „Kundenworkshop"), then the audience
                written = [w for w in text.split() if words(w) and set(words(w)) <= set(activity_words)]
                subject = " ".join(w.strip(".,;:!?") for w in written) or bound.core
                return "audience", f"{subject} {_AUDIENCE_PHRASE[state.language or 'de'][heard.pop()]}"
        if thanks and not asks_about_paying(text):  # "fair enough, thanks"
            return "social", text
        same_for = None if names_activity else self._same_for(text, last, state.language)
        if same_for is not None:
            return same_for
        content = checker.content_words(_ELLIPSIS_START.sub("", text))
        short = 0 < len(content) <= MAX_ELLIPSIS_WORDS
        # "Und Xing?" after LinkedIn ads asks about Xing ads: the frame goes first when the fragment fits it
        # … unless it picks an earlier item by its position („Und das vierte – für unsere Kunden.")
        if short and _ELLIPSIS_START.match(text) and not _picked(text, _ordinal_group(state)):
            echoed = self._echoed(content, state) or self._the_one(text, content, state)
            if echoed is not None:
                # „Und die SMS?" after „die Vodafone-Rechnung mit dem SMS-Paket für die Diensthandys": the thing named
                # there, as it was checked — not the word alone (session 29, a new user's trial: eligible)
                return "recall", _asked(echoed.activity, state.language)
            resolved = self._ellipsis_of_turn(text, state)
            if resolved:
                return "ellipsis", resolved
        opening = _ABOUT_OPENING.match(text)
        again = self._named(opening.group(0), state) if opening and not names_activity and not own.topics else []
        if len(again) == 1:
            # a message that opens by naming an earlier activity as its subject, with no activity or process topic of its
            # own („Zum Audit: gibt es da wirklich keine Ausnahme?", "Regarding the trip – no exception at all?"): that
            # activity as it was checked
            return "recall", _asked(again[0].activity, state.language)
        recalled = None if names_activity or own.topics else self._recall(text, state, audience)
        if recalled is not None:  # "What about the second?" asks about that activity, not about the process
            return "recall", _asked(recalled, state.language)
        if own.topics or own.process:
            # a process question naming activities of its own ("Welche Nachweise für die Google-Anzeigen und den
            # Messestand?") asks about those, not about the last one discussed — unless the conversation discussed
            # them already: then it points back to them („Zurück zur Messe: reichen Fotos vom Stand als Nachweis?“
            # after a stand at the it-sa and another question)
            named = self._rules_named(text, audience)
            earlier = {d.rule_id for d in state.discussed if d.rule_id}
            mine = {f.rule_id for f in own.findings if f.rule_id} | named
            if (not names_activity and not named) or (mine and mine <= earlier and all(
                    f.rule_id for f in own.findings if f.verdict == "needs_info")):
                return "reference", f"{text} ({'; '.join(d.activity for d in self.referenced(text, state))})"
            return "new", text
        if names_activity:
            return "new", text
        bare = 0 < len(content) <= MAX_BARE_FRAGMENT_WORDS and len(tokens) <= 2 * MAX_BARE_FRAGMENT_WORDS
        # "SEO?", "Bing ads?" — not a whole question put briefly; without the question mark when the checker finds
        # nothing else in it ("Dann eben Xing.", "Then Bing instead.")
        if bare and (text.rstrip().endswith("?") or not (own.findings or set(tokens) & _THANKS)):
            resolved = self._ellipsis_of_turn(text, state)
            if resolved:
                return "ellipsis", resolved
        # … unless what follows opening thanks asks to pay for something of its own, no process question ("ok thanks.
        # Different topic: can we pay the Christmas party for our staff?": session 30, a new user's trial got "You're
        # welcome!" for it)
        pays_other = thanked and asks_about_paying(after) and not _ASKS_HOW.match(after) and not (
            own.topics or own.process) and any(len(words(f.activity)) >= 2 for f in own.findings)
        if thanks and len(content) <= MAX_SOCIAL_WORDS and not pays_other:
            return "social", text
        return "new", text

    @staticmethod
    def _echoed(said: list[str], state: DialogueState) -> Discussed | None:
        """The one earlier activity not decided eligible whose own words hold every content word `said` of the
        follow-up („Und die SMS?" after „die Vodafone-Rechnung mit dem SMS-Paket"), else None: an eligible one is the
        frame of an ellipsis as before. Unlike `_discussed_named`, every word must be the activity's, short ones
        („SMS") exactly."""
        named = [d for d in {d.activity: d for d in state.discussed}.values()
                 if said and d.verdict != "eligible"
                 and all(any(w == c or _same_word(w, c) for c in words(d.activity)) for w in said)]
        return named[0] if len(named) == 1 else None

    @staticmethod
    def _the_one(text: str, said: list[str], state: DialogueState) -> Discussed | None:
        """The last turn's one activity, not decided eligible, that a follow-up of a definite article and one content
        word (`said`) names („Und das Event?" after „Unsere Weihnachtsfeier im Hotel – Co-op?"), else None."""
        group = state.last_turn
        if len(said) != 1 or len(group) != 1 or group[0].verdict in ("eligible", "needs_info") \
                or not _DEFINITE.match(_ELLIPSIS_START.sub("", text).strip()):
            return None
        return group[0]

    def _asks_more(self, text: str) -> bool:
        """A question opening like a follow-up („Und die Tickets als Dankeschön?") or with two words or more besides
        thanks and greetings („Die Tickets für unsere Vertriebler als Dankeschön?"): not social, whatever thanks word it
        holds (session 29, a new user's trial); „Danke, ist das so korrekt?" still is."""
        return "?" in text and (_ELLIPSIS_START.match(text) is not None or len(
            [w for w in self.assistant.checker.content_words(text) if w not in _SOCIAL and w not in _THANKS]) >= 2)

    def _recall(self, text: str, state: DialogueState, audience: set[str]) -> str | None:
        """An ordinal that picks one of the activities counted (`_ordinal_group`; "the first" of one is that one: session
        26, a new user's trial: „Das erste geht also, oder?“ after an audience correction read „erste“ as an activity),
        in a message of at most `MAX_ELLIPSIS_WORDS` other content words („Das erste geht also, oder?", "So the second
        one is fine?"): that activity as it was checked, or its core with the one audience the message names ("the first
        one, but for our staff"). None when no ordinal picks one."""
        group = _ordinal_group(state)
        picked = _picked(text, group)
        if len(_ordinals(text)) != 1 or not picked:
            return None
        content = [w for w in self.assistant.checker.content_words(text)
                   if w not in _ORDINALS and w not in _NUMBER_WORDS and not w.isdigit()]
        if len(content) > MAX_ELLIPSIS_WORDS:
            return None
        target = picked[0]
        if len(audience) == 1:
            return f"{target.core} {_AUDIENCE_PHRASE[state.language or 'de'][next(iter(audience))]}"
        return target.activity

    def _same_for(self, text: str, last: Discussed, language: Language | None) -> tuple[TurnKind, str] | None:
        """"The same for X" (or "as X"): X named as an activity of its own is a new question ("Gilt das gleiche für eine
        SMS-Aktion?" → "eine SMS-Aktion"; "doing the same as SMS?" → "SMS"); else X in the frame of the last activity,
        as an ellipsis ("Ist das gleiche auch für Xing möglich?" after LinkedIn ads → Xing ads); X, after "for" or "about",
        a Microsoft offering with at most `OFFERING_NOUNS_MAX` words of the partner's business beside it and no purpose
        of another kind, with at most `MAX_BARE_FRAGMENT_WORDS` words between ("the same campaign but for Azure", „Und
        dasselbe für unser Azure-Backup-Angebot?“): the last activity for that offering instead of what it was for,
        asked (`_asked`). None when the message says more than the reference, its filler and X, or X fits neither
        way."""
        found = _SAME_FOR.search(text)
        if found is None:
            return None
        between = set(words(found.group("between"))) - _SAME_FILLER
        what = found.group("what").strip(" ?!.")
        kept = words(what)
        while kept and kept[-1] in _SAME_FILLER:  # "… für Xing möglich"
            kept.pop()
        if not kept:
            return None
        what = what[: what.lower().rfind(kept[-1]) + len(kept[-1])]
        own = self.assistant.checker.check(what, language=language)
        if not between and _names_activity(own.findings):
            return "new", what
        offered = self.assistant.matcher.offering_words(what)
        said = tuple(words(self.assistant.rules.expand(what)))
        if found.group("how").lower() in ("for", "für", "fuer", "about", "über", "ueber") and not own.findings \
                and len(between) <= MAX_BARE_FRAGMENT_WORDS and offered \
                and len(set(said) - offered - self.assistant.rules.frame_set) <= OFFERING_NOUNS_MAX \
                and self.assistant.matcher.purpose_of(said) is None:
            # "and the same campaign but for Microsoft 365 Business Premium?", „Und dieselbe Kampagne für Azure?": the
            # last activity, now for that offering instead of what it was for (session 32, a kind from a readable
            # dialogue probe: "could not find an activity") — also the partner's own business around it, said in a
            # word or two, and said with "about" ("the same newsletter but about our Microsoft 365 offering", „Und
            # dasselbe für unser Azure-Backup-Angebot?“: session 33, from the readable dialogue probes)
            # … of the items that were asked together, the one the follow-up names ("the same campaign")
            items = [item.strip() for item in last.activity.split(",") if item.strip()] or [last.activity]
            named = [item for item in items if between & set(words(item))]
            return "ellipsis", _asked(f"{_without_purpose((named or items)[-1])} {_FOR_WORD[language or 'en']} {what}",
                                      language)
        if between:
            return None
        if found.group("how").lower() in ("as", "als"):
            # "what about doing the same as SMS?", „Und das Ganze nochmal als Seminar für unsere Kunden?": X is the
            # activity when it names one of its own; "the same as last year" names none
            return None
        resolved = self._ellipsis(what, last, language)
        if resolved:
            return "ellipsis", resolved
        if self._depends_on_audience(last):
            # "what about the same for our techies?" after a training for customers: X names people the checker does
            # not know — the same activity for them, whose audience the checker then asks for (a new user's trial:
            # "I could not find an activity")
            return "audience", f"{last.core} {_FOR_WORD[language or 'en']} {what}"
        return None

    def _depends_on_audience(self, activity: Discussed) -> bool:
        """Whether the activity's rule is for one audience (customers or the partner's staff): its category depends
        on whom it is for."""
        return activity.rule_id is not None and self.assistant.rules.rule(activity.rule_id).audience != "any"

    def _channel_swap(self, fragment: str, last: Discussed, language: Language | None) -> str | None:
        """A fragment that names a platform the last activity's rule runs on (rule data `channels`) takes the place
        of the platform named in the activity ("Social-Media-Marketing auf LinkedIn" + "Xing" → "… auf Xing"), else
        stands with the rule's name ("Bing" after LinkedIn ads → "Bing Digitale Werbung"), when that reads as the
        same rule."""
        if last.rule_id is None or last.verdict != "eligible":
            return None
        rule = self.assistant.rules.rule(last.rule_id)
        if rule.channels is None:
            return None
        names = rule.channels.folded()
        fragment = _PLATFORM_PREPOSITION.sub("", fragment)
        if " ".join(words(fragment)) not in names:
            return None
        swapped = [re.sub(rf"\b{re.escape(t)}\b", fragment, last.core, count=1)
                   for t in re.findall(r"[\w'+.]+", last.core) if " ".join(words(t)) in names][:1]
        title = rule.title.en if language == "en" else rule.title.de
        for candidate in [*swapped, f"{fragment} {title}"]:
            if any(f.rule_id == rule.id for f in self.assistant.checker.check(candidate, language=language).findings):
                return candidate
        return None

    def _ellipsis_of_turn(self, text: str, state: DialogueState) -> str | None:
        """The fragment in the frame of the last activity, else of the latest turn's other activities, latest first
        ("Und Xing?" after „LinkedIn-Kampagne und eine Incentive-Reise" is about the campaign), else of the earlier
        activities, latest first („Und Facebook?" after LinkedIn ads and then a workshop is about the ads)."""
        assert state.last is not None
        latest = [state.last, *(d for d in reversed(state.last_turn) if d is not state.last)]
        frames = latest + [d for d in reversed(state.discussed) if d not in latest]
        for frame in frames:
            resolved = self._ellipsis(text, frame, state.language)
            if resolved is not None:
                return self._with_purpose(resolved, frame, state.language)
        return None

    def _with_purpose(self, resolved: str, frame: Discussed, language: Language | None) -> str:
        """The fragment read in its frame keeps what the frame's activity was for ("And Instagram?" after "Facebook ads
        for my brother's restaurant" asks about Instagram for my brother): the first purpose the frame's own words name
        (rule data `purposes`), added with "for" when the fragment is a bare one (`MAX_BARE_FRAGMENT_WORDS` content words
        at most) naming no purpose or Microsoft offering of its own — „Und die Teilnahmegebühr für unseren
        Vertriebsleiter bei der Microsoft Build?" after a private flight is an activity of its own. Unchanged otherwise
        (session 25, a kind from a new user's trial: such follow-ups had been eligible)."""
        matcher, expand = self.assistant.matcher, self.assistant.rules.expand
        purpose = matcher.purpose_of(tuple(words(expand(frame.activity))))
        if purpose is None or matcher.purpose_of(tuple(words(expand(resolved)))) is not None \
                or len(self.assistant.checker.content_words(resolved)) > MAX_BARE_FRAGMENT_WORDS \
                or matcher.names_offering(resolved):
            return resolved
        return f"{resolved} {_FOR_WORD[language or 'en']} {purpose[1][0]}"

    def _ellipsis(self, text: str, last: Discussed, language: Language | None) -> str | None:
        """The fragment in the frame of the last activity ("Xing" after LinkedIn ads → "Xing Anzeigen"),
        when the fragment's own words are part of what decides it (not "Reisekosten" + "sms") and the none-veto does
        not read the fragment as not Co-op marketing."""
        fragment = _ELLIPSIS_START.sub("", text).strip(" ?!.")
        # "what about Xing, same thing?", „und Xing, genauso?": a trailing clause of filler only repeats the frame
        head, _, tail = fragment.rpartition(",")
        if head.strip() and words(tail) and set(words(tail)) <= _TRAILING_FILLER:
            fragment = head.strip()
        channel = self._channel_swap(fragment, last, language)
        if channel is not None:
            return channel
        # a fragment that a rule decides by its own words needs no frame ("und für einen Stand auf der it-sa?")
        alone = self.assistant.checker.check(fragment, language=language).findings
        if alone and all(f.rule_id and f.matched_by == "lexical" for f in alone):
            return fragment
        # a fragment the none-veto reads as not Co-op marketing is no activity of the frame ("Und die Reisekosten
        # unserer GF zum Golfturnier mit dem ISV-Chef?" after solution building with an ISV); a word or two says
        # nothing about purpose by itself (`Matcher.p_not_marketing`)
        matcher = self.assistant.matcher
        read = tuple(words(self.assistant.rules.expand(fragment)))
        if matcher.p_not_marketing(read) >= matcher.none_veto:
            return None
        # … nor is one that says what it is for, other than a Microsoft offering ("And mailing our Salesforce consulting
        # brochure to prospects?" after ads for Microsoft 365 packages): the frame's words would lend it the frame's
        # offering (session 34, a false "eligible" in a readable dialogue probe)
        if matcher.purpose_of(read) is not None:
            return None
        own = set(words(fragment))
        frame = [words(t)[-1] for t in last.terms if words(t)] + words(last.core)[-1:]
        candidates = [f"{fragment} {w}" for w in dict.fromkeys(frame)] + [f"{fragment} {last.core}"]
        for candidate in candidates:
            for f in self.assistant.checker.check(candidate, language=language).findings:
                if f.rule_id and f.matched_by == "lexical" and any(own & set(words(t)) for t in f.matched_terms):
                    return candidate
        return None
