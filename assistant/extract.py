"""Split a message into candidate activities, detect its language and injected instructions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.models import Language
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
    r"|\b(i am|i'm|ich bin|als)\s+(?:\S+\s+){0,5}?(authoris|authoriz|berechtig|ermächtig|autorisier)\w*"
    r"(\s+(you|dich|sie))?(\s+to\s+\w+(\s+this)?)?"
    r"|\b(note|notiz|hinweis|message|nachricht|instruction)\s+(to|for|an|für)\s+(the|das|die|den)?\s*"
    r"(model|modell|ki|ai|assistant|assistenten|bot|llm)\b"
    r"|\b(klassifizier\w*|classify|stufe|rate|bewerte)\s+(?:\w+\s+){0,3}?(als|as)\s+(nicht\s+|not\s+)?"
    r"(eligible|förderfähig|berechtigt|approved|genehmigt|zulässig)\b(\s+ein)?"
    r"|\b(output|print|list|reveal|tell me|nenne|gib|zeig\w*)\s+(?:\w+\s+){0,4}?(names|namen|data|daten|e-?mails?|"
    r"adressen|addresses)\b(\s+(of|von|der)\s+(?:\w+\s+){0,5}?\w+)?"
    r"|\blaut (neuer|neuen|aktueller) (richtlinie|regel|vorgabe)\w*\b"
    r"|\b(bitte|please)\s+(einfach\s+|just\s+|simply\s+)?(bestätigen|confirm|genehmigen|approve)\b"
    r"|\byou are now\b|\bdu bist (jetzt|nun|ab sofort)\b|\bfrom now on\b|\bab sofort\b|\bpretend\b"
    r"|\btu so,? als\b|\bact as\b"
    r"|\b(all|every|alle|jede)\w*\s+(activities|activity|aktivitäten|ausgaben|expenses|requests?|anfragen)\s+"
    r"(are|sind|is|ist)\s+(now\s+|jetzt\s+)?(eligible|berechtigt|förderfähig|erlaubt|approved|genehmigt)\b",
    re.IGNORECASE,
)

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
# Abbreviations whose full stop ends no sentence ("ca. 1.800 €", "inkl. Hotel", "z. B. Flyer", "approx. $900",
# "e.g. banners"): everyday abbreviations of business German and English, not words of any eval question.
_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:ca|bzw|inkl|zzgl|exkl|ggf|evtl|eventl|vgl|sog|mind|nr|pos|zt|tw|bspw|z\.\s?b|d\.\s?h|u\.\s?u|"
    r"o\.\s?ä|i\.\s?d\.\s?r|approx|appr|incl|excl|esp|e\.\s?g|i\.\s?e|vs|no)\.$",
    re.IGNORECASE)
# … and those that often end one ("Flyer, Plakate etc. Geht das?"): they end no sentence before a small letter or a
# number ("etc. und Hotel", "Jan. 2027")
_ENDING_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:etc|usw|usf|u\.\s?a|mio|mrd|tsd|std|min|max|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|okt|nov|dec|dez)\.$",
    re.IGNORECASE)
_SPACED_ABBREVIATION = frozenset({"z b", "d h", "u u", "o ä", "e g", "i e"})  # "z. B.", "d. h.", "e. g."
_LETTER_END = re.compile(r"(?:^|[\s(])(\w)\.$")
_LETTER_START = re.compile(r"^(\w)\.")
# a list item's marker at a line's start: a bullet, "1." / "1)" / "(1)" / "a)" / "(a)" (session 21: invoice positions
# here too — "Pos. 1 …" — gave a blind set a spurious "eligible"; measured and left out)
_BULLET = re.compile(r"^\s*(?:[-*•·–]|\d+[.)]|\(\d+\)|\(?[a-zA-Z]\))\s+")
PARENS = re.compile(r"\([^()]*\)")
# … written inline: "1. … 2. …", "1) … 2) …", "(a) … (b) …", "a) … und b) …", or invoice positions "pos 1 …, pos 2 …"
_INLINE_MARKER = re.compile(r"(?:^|\s)(?:\(?(?P<letter>[a-h])\)|\(?(?P<number>\d{1,2})[.)]|\((?P<paren>\d{1,2})\)|"
                            r"(?:pos|position|posten|item|line)\.?\s*(?P<position>\d{1,3})[.:)]?)(?=\s+\S)", re.IGNORECASE)
_COMMA = re.compile(r"(?<!\d),(?!\d)\s*")
# A clause opened by one of these describes the activity before it ("…, um … zu bewerben"; "nicht für Kunden, sondern
# für unsere Techniker" corrects its audience).
_SUBORDINATE = re.compile(
    r"^(um|damit|bevor|nachdem|weil|da|dass|sodass|wobei|indem|sondern|denen|dessen|deren|welche\w*|"
    r"(der|die|das|den|dem)\s+(der|die|das|den|dem|ein\w*|bei|mit|für|wir|sie|er|es|ihr|unser\w*|sich|auf|in|im|von|"
    r"zu|zum|zur|an|am|nicht|auch|sowohl|bis|seit|ab|nach|vor|noch|schon|gerade|dann|\d)|"
    r"wo|in dem|in der|mit dem|mit der|mit denen|über den|über die|so that|to|which|that|who|where|because|before|"
    r"after|while|so|in order to|including|inkl|z\.?\s?b|"
    # … and one that brings what the activity comes with („…, mit SEO“, "…, with a landing page": session 30, a new
    # user's trial — the SEO of a club's website was read apart from the club and was eligible)
    r"mit|samt|with|"
    # … and one that says which or what for („…, und zwar für die Firma meines Bruders“: session 34, found writing a test
    # here — the ads for Azure were eligible beside an unclear brother's firm)
    r"und zwar|nämlich|naemlich|genauer gesagt|das heißt|das heisst|namely|specifically|that is)\b",
    re.IGNORECASE,
)
# ("MDF und Co-op für unsere Roadshow kombinieren": two budgets joined, one activity — no split before "Co-op")
_SPLIT = re.compile(
    r"(?:\s+(?:und|and|sowie|oder|or|plus|&|bzw\.?|as well as|außerdem|ausserdem|also|zudem|"
    r"zusätzlich|additionally|another|noch|dann|then)\s+|\s*/\s*|\s+\+\s+)(?!co-?\s?op\b|zwar\b)",
    re.IGNORECASE,
)
# A causal clause, at a piece's start or inside it (session 30, a kind from the readable probes: the reason a message
# gives named an activity that got a finding); "since" of time ("since January", "since 2023") is none
_CAUSE = re.compile(
    r"(?:^|(?<=\s)|(?<=,))\s*(?:because|weil|denn\s+(?=wir|ich|es|sie|unser|die|der|das)|"
    r"da\s+(?=wir\b|ich\b|es\b|sie\b|unser)|since\s+(?!\d|(?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|last|yesterday|then|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|q[1-4]|early|mid|the\s+(?:start|beginning|end|launch|"
    r"last|first))\b))",
    re.IGNORECASE)
# A sentence that only labels the next one as the reason („Begründung: die schicken darüber auch mal Termine per SMS“:
# session 31, a kind from a readable negative probe): what follows is context, as a causal clause is
_REASON_LABEL = re.compile(r"(?:unsere\s+|die\s+|our\s+|the\s+)?(?:begründung|begruendung|grund|reason|rationale)",
                           re.IGNORECASE)
# A condition that opens a sentence ("If …, …", „Und falls …, …“)
_CONDITION = re.compile(r"^(?:(?:und|and|aber|but|also|so)\s+)?(?:wenn|falls|sofern|if|in case)\b", re.IGNORECASE)
# Words that ask whether something may be paid with Co-op ("asks"); a "?" makes a piece a question.
_PAY_FRAME = re.compile(
    r"bezahl|\bzahl|finanzier|abrechn|\bclaim|abrechen|abgerechnet|förderfähig|foerderfaehig|erstatt|berechtigt|"
    r"[\w-]*fähig\b|[\w-]*faehig\b|\bpay(s|ing|ed)?\b|\bpaid\b|\bfund(ed|ing|s)?\b|eligib|cover|reimburs|allowed|erlaubt|zulässig|\bdecken|"
    r"\bnutzen\b|\bverwenden|einsetzen|übernehm|\buse\b|\bspend|\bkosten|\bcosts?\b|\bgeht (das|es)\b|\bok\b|okay|"
    # Co-op as the one that may do something, in an indirect question too ("asks whether co-op can refund the audit",
    # "whether co-op can be applied to our share", „ob Co-op das tragen kann“: session 30), and a refund
    r"\bco-?op\s+(can|could|may|might|would|kann|könnte|koennte|darf|dürfte|würde)\b|\brefund|"
    # Co-op named as the means or as where the costs are submitted ("über Co-op machen", "bei Co-op einreichen",
    # "via co-op", "with our coop money"); "bei Co-op" alone is no ask ("Welche Nachweise braucht man bei Co-op?")
    r"\bbei\s+(unseren?\s+|dem\s+|den\s+)?co-?op[\w-]*\s+einreich|"
    # … or as what the costs are booked as ("als Co-op-Ausgabe einreichen", "submit it as a co-op expense")
    r"\bals\s+co-?op[\w-]*(\s+[\w-]+)?\s+(einreich|abrechn|abgerechn|eingereicht)\w*|"
    r"\bsubmit(s|ted|ting)?\s+(it|this|that|these|them|those)\s+as\s+(an?\s+)?co-?op\b[\w-]*(\s+(expenses?|costs?|claims?))?|"
    # a request to check what follows („Bitte um Prüfung: a) … b) …", "Please review the following:")
    r"\bbitte\s+um\s+(kurze\s+)?prüfung\b|\bbitte\s+(kurz\s+)?prüfen\b|"
    r"\bplease\s+(check|review)(\s*:|\s+(whether|if|these|the following)\b)|"
    r"\b(über|ueber|übers|uebers|mit|via|aus|per|with|through|using|from|by|out\s+of)\s+"
    r"((unseren?|unserem|unserer|dem|den|etwas|eurem|euren|ihrem|ihren|our|the|some|any|your|their|my)\s+)?co-?op",
    re.IGNORECASE,
)


# "Ok," / "Okay," opening a sentence acknowledges the last reply ("Ok, und welche Nachweise brauchen wir?"); only
# elsewhere does "ok" ask ("Messestand – ok?", "is that ok")
_ACKNOWLEDGED = re.compile(r"^\W*(ok|okay)\b\W*", re.IGNORECASE)
# a sentence that only acknowledges the last reply names no activity ("Fair enough." is no trade fair)
_ACKNOWLEDGEMENT = re.compile(
    r"^\W*(?:(?:ok|okay|alright|all right|fair enough|got it|understood|i see|makes sense|sounds good|noted|"
    r"alles klar|verstanden|verstehe|ich verstehe|in ordnung|passt|gut|prima|super|danke|vielen dank|thanks|"
    r"thank you|"
    # … laughing at a "no" ("Haha ok fair.": session 33, from the readable dialogue probes, where such an opening had
    # been an "unclear" item of its own)
    r"haha|hehe|lol|fair|"
    # … letting the matter drop after a "no" ("Fine, forget it.", „Schade, dann nicht.“: session 34, from the readable
    # dialogue probes, where the hand-off followed): the everyday German and English ways of dropping a subject and of
    # regretting an answer; their reply is no thanks (`resolver._ACK_REPLIES`)
    r"fine|forget it|never ?mind|no worries|too bad|pity|shame|oh well|schade|schon gut|vergiss es|egal|dann nicht|"
    r"na gut|naja|na ja)\W*)+$", re.IGNORECASE)


def acknowledges(text: str) -> bool:
    """Does the text only acknowledge the last reply ("ok, makes sense", „alles klar, verstanden“, "fair enough")?"""
    return _ACKNOWLEDGEMENT.match(text.strip()) is not None


def names_pay_frame(text: str) -> bool:
    """Do words of the text ask whether Co-op may pay ("bezahlen", "abrechnen", "eligible", "claim", "geht das")?"""
    return _PAY_FRAME.search(_ACKNOWLEDGED.sub("", text)) is not None


def without_pay_frame(text: str) -> str:
    """`text` with the words that ask whether Co-op pays (`_PAY_FRAME`) blanked, "claim" kept: it names the claims
    process too ("Wann reichen wir den Claim ein?")."""
    out, last = [], 0
    for m in _PAY_FRAME.finditer(text):
        if m.group(0).lower().startswith("claim") or m.start() < last:
            continue
        start, end = m.start(), m.end()  # the whole word: "reimbursable" leaves no "able", "erstattungsfähig" no rest
        while start > last and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
        out += [text[last:start], " "]
        last = end
    return "".join(out) + text[last:]


def asks_about_paying(text: str) -> bool:
    """Does the text ask something: a question mark, or words that ask whether Co-op may pay?"""
    return "?" in text or names_pay_frame(text)


_WH_START = re.compile(
    r"^\W*(what|how|which|when|where|who|why|was|wie|welche\w*|wann|wo|wer|warum|wozu|wofür|worauf)\b"
    # … not the letter's formula „wie (telefonisch) besprochen“, „wie vereinbart“: a comparison, no question (session 30,
    # a kind from a readable realworld probe)
    r"(?!(?:\s+\w+)?\s+(?:besprochen|abgesprochen|vereinbart|angekündigt|erwähnt|gesagt|gewünscht|versprochen|"
    r"angefragt|mitgeteilt|gemailt)\b)", re.IGNORECASE
)
_LEADING_FILLER = re.compile(r"^\W*(?:(?:und|and|ok|okay|so|also|but|aber|gut|alright)\W+)*", re.IGNORECASE)


def starts_with_question_word(sentence: str) -> bool:
    """Whether `sentence` opens with a question word ("how", „wann“, „welche“), after fillers ("and", „also“): a question
    that asks what, how or when, not yes or no (`_WH_START`)."""
    return _WH_START.match(_LEADING_FILLER.sub("", sentence, count=1)) is not None


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
    listed: bool = False  # an item of a bulleted or numbered list


def language_of(text: str) -> Language | None:
    """'de' or 'en' by common function words (umlauts and ß count double for German); None when the
    text gives no evidence either way ("SEO?") or a tie."""
    raw = [t.strip(".,;:!?()\"'") for t in text.lower().split()]
    de = sum(1 for t in raw if t in _DE_HINTS) + 2 * len(re.findall(r"[äöüß]", text.lower()))
    en = sum(1 for t in raw if t in _EN_HINTS)
    return None if de == en else ("en" if en > de else "de")


def detect_language(text: str, fallback: Language = "de") -> Language:
    """`language_of`, or `fallback` (the conversation's or the UI's language) when the text does not tell."""
    return language_of(text) or fallback


def is_injection(sentence: str) -> bool:
    return INJECTION.search(sentence) is not None


_SCRIPT = re.compile(r"(?is)<(script|style)\b.*?(</\1\s*>|$)")
_TAG = re.compile(r"<[^<>]{0,300}>")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def without_markup(text: str) -> str:
    """HTML and Markdown are not activities: drop script/style blocks and tags, keep link texts."""
    return _MD_LINK.sub(r"\1", _TAG.sub(" ", _SCRIPT.sub(" ", text)))


def readable(message: str) -> str:
    """The message as the partner wrote it about the activities: without markup, the salutation and the signature
    (what `split_pieces` splits, and what each piece is read around)."""
    return without_salutation(without_signature(without_markup(message)))


_SIGN_OFF = re.compile(
    r"^\W*(viele|beste|liebe|herzliche|freundliche|mit freundlichen)?\s*(grüße|gruesse|grüßen|gruessen|gruß|gruss)\b.*$|"
    r"^\W*(danke\s*(und|&|\+)\s*(gruß|gruss|grüße)|lg|vg|mfg|best regards|kind regards|warm regards|regards|best|"
    r"cheers|thanks|thank you|many thanks|thanks again|danke|vielen dank|danke schön|dankeschön)"
    # the writer's name may follow after a comma on the same line ("Best, Tom", "Danke, Anna Schmidt")
    r"(?:,\s*(?-i:[A-ZÄÖÜ][\w.'-]*)(?:\s+(?-i:[A-ZÄÖÜ][\w.'-]*)){0,2})?\W*$",
    re.IGNORECASE)
MAX_SIGNATURE_LINES = 6


def without_signature(text: str) -> str:
    """An e-mail's sign-off line ("Viele Grüße", "Thanks,") and the few short lines after it (name, company,
    the company's services, web address) are a signature, not activities: cut from the sign-off on.
    Only when the sign-off is followed by at most `MAX_SIGNATURE_LINES` lines of at most 12 words, none
    asking anything ("Danke!\nUnd Xing?" keeps its question)."""
    lines = text.splitlines()
    for n in range(len(lines) - 1, 0, -1):
        if _SIGN_OFF.match(lines[n].strip()):
            after = [x for x in lines[n + 1 :] if x.strip()]
            if len(after) <= MAX_SIGNATURE_LINES and all(len(x.split()) <= 12 and "?" not in x for x in after):
                return "\n".join(lines[:n])
            break
    return text


# An e-mail's opening line that only greets ("Hallo Partner Care,", "Dear Partner Care team,", "Sehr geehrte Damen
# und Herren,") is no sentence of the message: it names Partner Care without asking to contact it.
_SALUTATION = re.compile(
    r"^\W*(hallo|hello|hi|hey|dear|liebe|lieber|liebes|sehr geehrte|sehr geehrter|sehr geehrtes|guten (morgen|tag|abend)|"
    r"servus|moin|grüß gott|gruess gott|good (morning|afternoon|evening))\b[^?!.]{0,80}[,:!]?\s*$",
    re.IGNORECASE)


def without_salutation(text: str) -> str:
    """The text without its first line when that line only greets and more follows (`_SALUTATION`); a greeting
    with the question on the same line ("Hallo, geht SEO über Co-op?") stays."""
    lines = text.splitlines()
    first = next((n for n, x in enumerate(lines) if x.strip()), None)
    if first is None or len(lines[first].split()) > 10 or not _SALUTATION.match(lines[first].strip()):
        return text
    rest = "\n".join(lines[first + 1:])
    return rest if rest.strip() else text


# A name in quotation marks is one name: „Infra and Database Migration to Microsoft Azure“ is a specialization, not a
# migration and something else; single quotes only around words ("the partner's" is no quote)
_QUOTED = re.compile(r"[„“”\"«»‚][^„“”\"«»‚‘\n]{2,100}[“”\"»«‘]|(?<!\w)'[^'\n]{2,100}'(?!\w)")


def _mask_parentheses(sentence: str) -> tuple[str, list[str]]:
    """Replace each "(…)" and each quoted name by a placeholder so no split happens inside it."""
    groups: list[str] = []

    def keep(m: re.Match[str]) -> str:
        groups.append(m.group(0))
        return f"\x00{len(groups) - 1}\x00"

    return _QUOTED.sub(keep, PARENS.sub(keep, sentence)), groups


def _unmask(text: str, groups: list[str]) -> str:
    for _ in range(2):  # a quoted name may hold a "(…)" placeholder
        text = re.sub("\x00(\\d+)\x00", lambda m: groups[int(m.group(1))], text)
    return text


def _relative(clause: str, cased: bool) -> bool:
    """German "…, die bei Kunden …": der/die/das before a lower-case word opens a relative clause.

    Only in text that uses capitals at all (in all-lower-case text nouns look like verbs).
    """
    m = re.match(r"(der|die|das|den|dem)\s+(\w)", clause, re.IGNORECASE)
    return bool(cased and m and (m.group(2).islower() or m.group(2).isdigit()))


def _clauses(sentence: str, cased: bool) -> list[str]:
    """Comma-separated clauses; a subordinate or relative clause stays with the clause before it, and a condition
    that opens the sentence with the clause after it („Und wenn der Kunde zu AWS wechselt, ginge die Migration?“: the
    condition is the question's, session 30, a kind from a readable dialogue probe)."""
    out: list[str] = []
    opens = False
    for clause in _COMMA.split(sentence):
        c = clause.strip()
        if out and (opens or _SUBORDINATE.match(c) or _relative(c, cased)):
            out[-1] += ", " + clause
        else:
            out.append(clause)
        opens = len(out) == 1 and _CONDITION.match(out[0].strip()) is not None and not opens
    return out


def _sentences(line: str) -> list[str]:
    """The line's sentences: split after . ! ? ; : — never inside "(…)" ("(ca. 1.800 €)") and never after a common
    abbreviation (`_ABBREVIATION`: "inkl. Hotel"; `_ENDING_ABBREVIATION` before a small letter or a number)."""
    masked, groups = _mask_parentheses(line)
    out: list[str] = []
    for part in _SENTENCE.split(masked):
        end, start = (_LETTER_END.search(out[-1]), _LETTER_START.match(part)) if out else (None, None)
        spaced = end is not None and start is not None and f"{end[1]} {start[1]}".lower() in _SPACED_ABBREVIATION
        continues = part[:1].islower() or part[:1].isdigit()
        if out and (_ABBREVIATION.search(out[-1]) or spaced or (continues and _ENDING_ABBREVIATION.search(out[-1]))):
            out[-1] += " " + part
        else:
            out.append(part)
    return [_unmask(s, groups) for s in out]


def _enumerated(line: str) -> list[tuple[str, bool]]:
    """The line cut at the markers of an enumeration written in it ("Zwei Sachen: 1) … 2) …", "(a) … (b) …", "pos 1 …,
    pos 2 …"), each part without its marker and with whether it had one. Markers count only as a run that starts at 1
    or "a" and goes on one by one ("2. Halbjahr", "3) the rest" alone cut nothing); a line without one is one unmarked
    part."""
    run: list[re.Match[str]] = []
    for m in _INLINE_MARKER.finditer(line):
        value = m.group("letter") or m.group("number") or m.group("paren") or m.group("position")
        at = ord(value.lower()) - ord("a") if value.isalpha() else int(value) - 1
        if at == len(run):
            run.append(m)
        elif at == 0 and len(run) < 2:  # a run starts again
            run = [m]
    if len(run) < 2:
        return [(line, False)]
    head = line[:run[0].start()]
    return ([(head, False)] if head.strip() else []) + [
        (line[m.end():nxt], True) for m, nxt in zip(run, [*(m.start() for m in run[1:]), len(line)], strict=True)]


def split_pieces(question: str) -> tuple[list[Piece], bool]:
    """Split into candidate activities after cutting out injected instructions.

    Sentences split at . ! ? ; : and line breaks; clauses at commas (relative and
    subordinate clauses stay attached); activities at "und/and/oder/or/sowie/…" and "/".
    Text in parentheses is never split: "(Trainer, Raum)" describes what comes before.
    Returns the pieces and whether an injection attempt was seen.
    """
    pieces: list[Piece] = []
    seen = False
    question = readable(question)
    cased = question != question.lower()
    reason_next = False  # the sentence before was a reason's label (`_REASON_LABEL`)
    for line in question.splitlines():
        listed = _BULLET.match(line) is not None
        for first, sentence in (
                (n == 0 and marked, sentence) for part, marked in _enumerated(line)
                for n, sentence in enumerate(_sentences(_BULLET.sub("", part) if listed else part))):
            item = listed or first  # a bulleted line is an item; of an inline one, the sentence with its marker
            ends = sentence.rstrip()[-1:]
            cleaned, count = INJECTION.subn(" ", sentence)
            seen = seen or count > 0
            sentence = cleaned.strip(" -–:;.,")
            if not sentence or not words(sentence) or _ACKNOWLEDGEMENT.match(sentence):
                continue
            reason, reason_next = reason_next, _REASON_LABEL.fullmatch(sentence) is not None and ends == ":"
            if reason_next or (reason and "?" not in sentence):
                continue
            asks = names_pay_frame(sentence)
            # a question: has "?", or starts like one and does not end like a statement
            question_mark = "?" in sentence or (_WH_START.match(sentence) is not None and ends not in ".!")
            masked, groups = _mask_parentheses(sentence)
            for clause in _clauses(masked, cased):
                for part in _SPLIT.split(clause):
                    # what a causal clause says is the reason, not an item ("Since internal incentives are allowed",
                    # „Da wir auch Telemarketing machen:“, "… are high since we do lots of Teams calls"): context
                    part = _unmask(_CAUSE.split(part, maxsplit=1)[0], groups)
                    part = part.strip(" -–:;.,!?\"'[]")
                    if part and words(part):
                        pieces.append(Piece(part, sentence, asks, question_mark, count > 0, item))
    return pieces, seen
