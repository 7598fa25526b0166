"""Pure helpers for the web UI: starters, source elements, hand-off message with a prefilled mailto."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from assistant.models import PARTNER_CARE_EMAIL, PARTNER_CARE_PHONE, Answer, Finding, Language
from assistant.render import CATEGORY, VERDICT, VERDICT_PLAIN, md_escape
from assistant.text import words

STARTERS = {
    "de": [
        ("LinkedIn-Anzeigen und Incentive-Reise",
         "Können wir LinkedIn-Anzeigen und eine Incentive-Reise für unsere Top-Verkäufer mit Co-op bezahlen?"),
        ("Kundenworkshop zu Copilot", "Ist ein Workshop für unsere Kunden zu Microsoft 365 Copilot Co-op-fähig?"),
        ("Prüfungsgutscheine", "Dürfen wir Prüfungsgutscheine für die AZ-104 unserer Techniker über Co-op abrechnen?"),
        ("Welche Nachweise?", "Welche Nachweise brauche ich für eine E-Mail-Kampagne?"),
    ],
    "en": [
        ("LinkedIn ads and an incentive trip",
         "Can we pay for LinkedIn ads and an incentive trip for our top sellers with co-op?"),
        ("Customer workshop", "Is a hands-on workshop for our customers on Azure eligible for co-op?"),
        ("Specialization audit fee", "Can co-op pay the audit fee for our specialization?"),
        ("How long does the budget accrue?", "How long does the co-op budget accrue?"),
    ],
}


def ui_language(browser_language: str | None) -> Language:
    return "de" if (browser_language or "de").lower().startswith("de") else "en"


@dataclass(frozen=True)
class SourceElement:
    name: str
    content: str


# the article's introduction and its "Mehr Informationen" contact box: shown as a source only when a topic asks for them
GENERAL_SECTIONS = frozenset({"overview", "contact"})


def source_elements(answer: Answer, limit: int = 4) -> list[SourceElement]:
    """Side-panel elements: the German passage, and its English rendering for English questions.

    Only the sections the answer rests on are shown (`Source.basis`: a finding's section, or a process topic's);
    when no rule decides its findings, the nearest passages without the article's general sections (its
    introduction and the contact box: `GENERAL_SECTIONS`); with neither findings nor topics ("🤔"), none.
    Retrieval neighbours stay in the answer object's `sources`.
    """
    out = []
    label = "Quelle" if answer.language == "de" else "Source"
    shown = [s for s in answer.sources if s.basis]
    if not shown and answer.findings:
        shown = [s for s in answer.sources if s.section_id not in GENERAL_SECTIONS]
    for n, s in enumerate(shown[:limit], 1):
        content = _plain_lines(s.text)
        title = s.section
        if answer.language == "en" and s.text_en:
            content += "\n\n---\nEnglish rendering (translation, not authoritative):\n\n" + _plain_lines(s.text_en)
            english = s.text_en.splitlines()[0].strip()
            title = s.section if english == s.section else f"{english} ({s.section})"
        out.append(SourceElement(f"{label} {n}: {title}", content))
    return out


def _plain_lines(text: str) -> str:
    """Guidance text for a Markdown panel: "1. Demand Generation" is a heading, not a list item."""
    return re.sub(r"(?m)^(\d+)\.", r"\1\\.", text)


# what the chat keeps of each answer for the hand-off e-mail (`mailto`): enough for `conversation_findings`
STORED_FIELDS = frozenset({"question", "findings", "turn", "supersedes"})


def conversation_findings(answers: list[Answer]) -> list[Finding]:
    """Every finding of a conversation (`answers` oldest first) as it stands now: one per activity and rule (an
    activity asked again keeps its latest place); what a later audience turn decided again (turn "audience": the
    activity checked for the audience named, "Für unsere Kunden.") replaces the earlier findings of that activity — its
    clarifying question and a corrected audience's finding — named by the answer's `supersedes`, and (as for answers
    kept before it existed) by the activity's first word ("Schulung …")."""
    out: dict[tuple[str, str | None, str], Finding] = {}
    for a in answers:
        if a.supersedes:
            gone = {label.casefold() for label in a.supersedes}
            for key in [k for k, f in out.items() if f.activity.casefold() in gone]:
                del out[key]
        if a.turn == "audience":
            again = {_first_word(f.activity) for f in a.findings}
            for key in [k for k, f in out.items() if _first_word(f.activity) in again]:
                del out[key]
        for f in a.findings:
            key = (f.activity.casefold(), f.rule_id, f.verdict)
            out.pop(key, None)
            out[key] = f
    return list(out.values())


def _first_word(activity: str) -> str:
    found = words(activity)
    return found[0] if found else ""


def mailto(answer: Answer, earlier: list[Answer] | None = None) -> str:
    """A prefilled e-mail to Partner Care summarising the conversation (`earlier`: its previous answers, oldest
    first): the questions that named an activity, numbered, once each (a follow-up such as „Für unsere Kunden." reads
    in its place), and every finding as it stands now (`conversation_findings`); the body is cut at 1,500 characters."""
    de = answer.language == "de"
    subject = "Co-op-Anfrage: Bitte um Prüfung" if de else "Co-op question: please review"
    answers = [*(earlier or []), answer]
    asked = list(dict.fromkeys(a.question for a in answers if a.findings)) or [answer.question]
    if len(asked) == 1:
        lines = ["Frage:" if de else "Question:", asked[0]]
    else:
        lines = ["Fragen im Gespräch:" if de else "Questions in the conversation:"]
        lines += [f"{n}. {q}" for n, q in enumerate(asked, 1)]
    lines += ["", "Ergebnis des Assistenten:" if de else "Assistant's result:"]
    findings = conversation_findings(answers)
    for f in findings:
        cat = f" / {CATEGORY[f.category]}" if f.category else ""
        rule = f" [{f.rule_id}]" if f.rule_id else ""
        lines.append(f"- {f.activity}: {VERDICT_PLAIN[answer.language][f.verdict]}{cat}{rule}")
    if not findings:
        lines.append("- (keine Aktivität erkannt)" if de else "- (no activity recognised)")
    body = "\n".join(lines)[:1500]
    return f"mailto:{PARTNER_CARE_EMAIL}?subject={quote(subject)}&body={quote(body)}"


def handoff_message(answer: Answer, earlier: list[Answer] | None = None) -> str:
    de = answer.language == "de"
    open_items = [f for f in answer.findings if f.verdict != "eligible"]
    items = "\n".join(f"- {md_escape(f.activity)} — {VERDICT[answer.language][f.verdict]}" for f in open_items)
    head = ("**Partner Care kontaktieren**\n\nUnsere Microsoft-Spezialistinnen und -Spezialisten helfen weiter:"
            if de else "**Contact Partner Care**\n\nOur Microsoft specialists are happy to help:")
    contact = (
        f"- Telefon: {PARTNER_CARE_PHONE}\n- E-Mail: {PARTNER_CARE_EMAIL}\n- Kontaktformular auf der Partner-Care-Website"
        if de
        else f"- Phone: {PARTNER_CARE_PHONE}\n- E-mail: {PARTNER_CARE_EMAIL}\n- The contact form on the Partner Care website"
    )
    link = (f"[E-Mail mit Ihrer Frage und dem Ergebnis vorbereiten]({mailto(answer, earlier)})" if de
            else f"[Prepare an e-mail with your question and the result]({mailto(answer, earlier)})")
    parts = [head, contact, link]
    if items:
        parts.insert(1, ("Offene Punkte:\n" if de else "Open items:\n") + items)
    return "\n\n".join(parts)


LIMIT_MESSAGE = {
    "de": ("Ihre Nachricht ist länger als die {limit} Zeichen, die der Assistent liest. Bitte kürzen Sie sie auf "
           "die Aktivitäten, nach denen Sie fragen, oder wenden Sie sich an Partner Care: " + PARTNER_CARE_PHONE
           + " · " + PARTNER_CARE_EMAIL + "."),
    "en": ("Your message is longer than the {limit} characters the assistant reads. Please shorten it to the "
           "activities you are asking about, or contact Partner Care: " + PARTNER_CARE_PHONE + " · "
           + PARTNER_CARE_EMAIL + "."),
}


def limit_message(language: str, limit: int) -> str:
    """The over-length reply in the UI's language (German digit grouping with '.'). It names no size: the page's
    script cut the message to `limit` + 1 characters before sending (`limit_script`), so the server never knows it."""
    sep = "." if language == "de" else ","
    return LIMIT_MESSAGE[language].format(limit=f"{limit:,}".replace(",", sep))

_LIMIT_JS = """// Chat messages longer than the assistant reads are cut to just over the limit before they are sent,
// so the server answers with its limit message instead of the socket dropping an oversized frame.
(() => {
  const LIMIT = %d;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data === "string" && data.length > LIMIT) {
      const head = /^42\\d*/.exec(data);
      if (head) {
        try {
          const packet = JSON.parse(data.slice(head[0].length));
          const msg = packet[1] && packet[1].message;
          if (packet[0] === "client_message" && msg && typeof msg.output === "string" && msg.output.length > LIMIT) {
            msg.output = msg.output.slice(0, LIMIT + 1);
            data = head[0] + JSON.stringify(packet);
          }
        } catch (e) { /* not a socket.io event: sent as it is */ }
      }
    }
    return send.call(this, data);
  };
})();
"""


def limit_script(limit: int) -> str:
    """The page script that cuts oversized chat messages to `limit` + 1 characters (see LIMIT_MESSAGE)."""
    return _LIMIT_JS % limit
