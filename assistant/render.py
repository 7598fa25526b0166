"""Deterministic prose: finding explanations and the Markdown reply, in German or English."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.models import PARTNER_CARE_EMAIL, PARTNER_CARE_PHONE, Answer, Finding

if TYPE_CHECKING:
    from assistant.errors import InputError
    from assistant.rules.loader import RuleBase
    from assistant.rules.matcher import Decision

CATEGORY = {
    "demand_generation": "Demand Generation",
    "market_development": "Market Development",
    "partner_skilling": "Partner Skilling",
}
VERDICT = {
    "de": {
        "eligible": "✅ förderfähig",
        "not_eligible": "⛔ nicht förderfähig",
        "unclear": "❔ unklar – die Guidance entscheidet es nicht",
        "needs_info": "❓ Rückfrage nötig",
    },
    "en": {
        "eligible": "✅ eligible",
        "not_eligible": "⛔ not eligible",
        "unclear": "❔ unclear – the guidance does not decide it",
        "needs_info": "❓ more information needed",
    },
}
VERDICT_PLAIN = {
    "de": {"eligible": "förderfähig", "not_eligible": "nicht förderfähig",
           "unclear": "von der Guidance nicht entschieden", "needs_info": "abhängig von einer Rückfrage"},
    "en": {"eligible": "eligible", "not_eligible": "not eligible",
           "unclear": "not decided by the guidance", "needs_info": "dependent on one more detail"},
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")
_AUTOLINK = re.compile(r"(?i)\b(?:https?|ftp)://|\bwww\.|@(?=\w+\.\w)")


def md_escape(text: str) -> str:
    """User text shown in Markdown: special characters escaped so it stays plain text.

    Bare URLs are broken up too ("http\\://", "www\\."), or Markdown would autolink them.
    """
    text = _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))
    return _AUTOLINK.sub(lambda m: "\\" + m.group(0) if m.group(0) == "@" else
                         m.group(0).replace(":", "\\:").replace(".", "\\."), text)


_PURPOSE = {
    "recruiting": ("der Personalgewinnung (Recruiting)", "recruiting"),
    "private": ("einer privaten Angelegenheit", "a private matter"),
    "other-organisation": ("einer anderen Organisation (Verein, Schule, gemeinnützige Einrichtung …)",
                           "another organisation (a club, a school, a charity …)"),
    "other-vendor": ("dem Angebot eines anderen Herstellers", "another vendor's offering"),
    "other-programme": ("dem Programm eines anderen Unternehmens", "another company's programme"),
    "customer-service": ("dem Service für bestehende Kunden (Umfrage, Mahnung, Servicehinweis …)",
                         "service to existing customers (a survey, a payment reminder, a service notice …)"),
    "other-business": ("einem anderen Geschäft (Nebengewerbe, Schwesterfirma …)",
                       "another business (a side business, a sister company …)"),
    "not-microsoft": ("etwas ohne Bezug zu Microsoft-Angeboten (so beschrieben)",
                      "something without a link to Microsoft offerings (as described)"),
    "other-topic": ("etwas anderem als Microsoft-Angeboten", "something other than Microsoft offerings"),
}
# what the guidance does not cover (rule data `not_covered:` ids): what a partner reads instead of "the guidance
# decides neither way" (a new user's trial, session 20: a staff Christmas party read as if it might be fundable)
_NOT_COVERED = {
    "salaries-and-staff-costs": ("Personalkosten (Gehälter, Recruiting)", "staff costs (salaries, recruiting)"),
    "premises-and-overheads": ("laufende Betriebskosten (Miete, Büro, Telefon, Porto)",
                               "running costs (rent, office, phone, postage)"),
    "donations-and-sponsoring-outside-microsoft": ("Spenden oder Sponsoring ohne Microsoft-Bezug (Verein, Sport, "
                                                   "Wohltätigkeit)", "donations or sponsoring without a Microsoft link "
                                                   "(clubs, sports, charity)"),
    "internal-operations": ("interne Angelegenheiten des Unternehmens (Feiern, Firmenwagen, Steuer-, Rechts- oder "
                            "Prüfungskosten, eigene Lizenzen)", "the company's internal matters (parties, company "
                            "cars, tax, legal or audit costs, own licences)"),
}
# the audience slot (matcher step 9, rule data `for_whom`): whom the guidance lists the activity for, and whom the
# message names instead
_AUDIENCE = {
    "own-staff": (("Marketing für Kunden und Interessenten", "für Ihre eigenen Mitarbeitenden"),
                  ("marketing to customers and prospects", "for your own staff")),
    "customers": (("Skilling Ihrer eigenen Vertriebs- und Technikteams", "für Kunden"),
                  ("skilling of your own sales and technical teams", "for customers")),
    # an exclusion for the partner's own staff, asked for customers (matcher step 9 on a "not_eligible" decision)
    "customers-not-excluded": (("Ausschluss für Ihre eigenen Mitarbeitenden", "für Kunden"),
                               ("an exclusion for your own staff", "for customers")),
}


def _purpose_text(decision: Decision, de: bool) -> str:
    """Why an activity that a rule would allow is not decided: it is for something else (matcher step 9)."""
    what_de, what_en = _PURPOSE.get(decision.purpose, ("einem anderen Zweck", "another purpose"))
    # each word that gave it away once (a new user's trial, session 33: „employer branding, employer branding, …“)
    cue = ", ".join(list(dict.fromkeys(decision.terms))[:3]) or (
        "aus dem Zusammenhang gelesen" if de else "read from the context")
    if decision.purpose in _AUDIENCE:
        (listed_de, named_de), (listed_en, named_en) = _AUDIENCE[decision.purpose]
        return (
            f"Die Guidance nennt diese Aktivität als {listed_de}; hier scheint sie {named_de} zu sein (erkannt an: "
            f"{cue}). Das entscheidet die Guidance nicht; Partner Care kann den Einzelfall prüfen."
            if de
            else f"The guidance lists this activity as {listed_en}; here it seems to be {named_en} (recognised by: "
            f"{cue}). The guidance does not decide that; Partner Care can review the case."
        )
    return (
        f"Co-op fördert Marketing und Skilling für Microsoft-Angebote; dies scheint {what_de} zu dienen "
        f"(erkannt an: {cue}). Die Guidance entscheidet das nicht; Partner Care kann den Einzelfall prüfen."
        if de
        else f"Co-op funds marketing and skilling for Microsoft offerings; this seems to serve {what_en} "
        f"(recognised by: {cue}). The guidance does not decide it; Partner Care can review the case."
    )


def explain(activity: str, decision: Decision, language: str, rules: RuleBase | None = None) -> str:
    """One or two sentences on why the activity got its verdict, in words a partner reads (no scores or terms)."""
    de = language == "de"
    rule = decision.rule
    if decision.reason == "ambiguous-audience":
        names = []
        for rid in decision.candidates:
            r = rules.rule(rid) if rules else None
            if r is not None and r.category:
                names.append(f"{CATEGORY[r.category]} ({r.title.de if de else r.title.en})")
        options = " / ".join(names) or ("Market Development / Partner Skilling")
        return (
            f"Das hängt von der Zielgruppe ab: für Kunden oder für Ihre eigenen Mitarbeitenden? Infrage kommen: {options}."
            if de
            else f"That depends on the audience: is it for customers or for your own staff? Candidates: {options}."
        )
    if decision.reason == "not-marketing":
        return (
            "Das klingt nicht nach einer Co-op-Marketingaktivität für Microsoft-Angebote (sondern z. B. nach "
            "laufenden Kosten, Personal oder einem privaten Anlass); die Guidance entscheidet es nicht. "
            "Partner Care kann den Einzelfall prüfen."
            if de
            else "This does not read as Co-op marketing of Microsoft offerings (rather running costs, staff or a "
            "private matter); the guidance does not decide it. Partner Care can review the case."
        )
    if decision.reason == "purpose":
        return _purpose_text(decision, de)
    kinds = [_NOT_COVERED[t] for t in decision.terms if t in _NOT_COVERED] if decision.reason == "not-covered" else []
    if kinds:
        what = " / ".join(dict.fromkeys(k[0 if de else 1] for k in kinds))
        return (
            f"Das fällt unter {what} – keine Marketing- oder Skilling-Aktivität für Microsoft-Angebote, wie die "
            "Co-op-Guidance sie nennt; sie entscheidet es nicht. Partner Care kann den Einzelfall prüfen."
            if de
            else f"This falls under {what} — not a marketing or skilling activity for Microsoft offerings as the Co-op "
            "guidance names them; it does not decide it. Partner Care can review the case."
        )
    if decision.reason == "label":
        proposed = [rules.rule(c) for c in decision.candidates] if rules else []
        name = ", ".join(f"„{r.title.de}“" if de else f"'{r.title.en}'" for r in proposed) or "—"
        return (
            f"Sie ordnen dies als {name} ein; ob das zutrifft, hängt davon ab, was tatsächlich gemacht wird, und die "
            "Beschreibung nennt keine Co-op-Marketingaktivität, die die Guidance entscheidet. Partner Care kann den "
            "Einzelfall prüfen."
            if de
            else f"You file this as {name}; whether that fits depends on what is actually done, and the description "
            "names no Co-op marketing activity the guidance decides. Partner Care can review the case."
        )
    if rule is None:
        return (
            "Die Co-op-Guidance nennt dies weder als förderfähige Aktivität noch als Ausschluss; "
            "Partner Care kann den Einzelfall prüfen."
            if de
            else "The Co-op guidance lists this neither as an eligible activity nor as an exclusion; "
            "Partner Care can review the case."
        )
    # how it was recognised (terms, the recogniser's features, scores) is for staff tools: the finding's
    # matched_by, matched_terms and confidence carry it; the sentence a partner reads only says when a likeness
    # to the rule's examples, not its wording, decided
    how = ""
    if decision.matched_by == "semantic":
        how = " (zugeordnet über die Ähnlichkeit zu den Beispielen der Regel)" if de \
            else " (matched by its likeness to the rule's examples)"
    title = rule.title.de if de else rule.title.en
    if rule.kind == "exclusion":
        return (
            f"Das fällt unter den Ausschluss „{title}“: Co-op-Mittel dürfen dafür nicht verwendet werden{how}."
            if de
            else f"This falls under the exclusion \"{title}\": Co-op funds may not be used for it{how}."
        )
    if rule.kind == "allowance":
        return (
            f"„{title}“ sind ausdrücklich als Co-op-Aktivität zulässig; die Guidance ordnet sie keiner Kategorie zu{how}."
            if de
            else f"\"{title}\" are explicitly permitted as a Co-op activity; the guidance files them under no category{how}."
        )
    category = CATEGORY[rule.category] if rule.category else ""
    return (
        f"Das entspricht der förderfähigen Aktivität „{title}“ in der Kategorie {category}{how}."
        if de
        else f"This matches the eligible activity \"{title}\" in the {category} category{how}."
    )


def _finding_block(n: int, f: Finding, lang: str) -> list[str]:
    cat = f" · {CATEGORY[f.category]}" if f.category else ""
    lines = [f"{n}. **{md_escape(f.activity)}** — {VERDICT[lang][f.verdict]}{cat}"]
    if f.source_quote:
        lines.append(f"   > „{f.source_quote}“ — *{f.section}*")
        if lang == "en" and f.source_quote_en:
            lines.append(f"   > (English rendering: \"{f.source_quote_en}\")")
    lines.append(f"   {f.explanation}")
    return lines


def handoff_block(lang: str) -> list[str]:
    if lang == "de":
        return [
            "**Partner Care hilft weiter**",
            f"Telefon: {PARTNER_CARE_PHONE} · E-Mail: {PARTNER_CARE_EMAIL} · oder das Kontaktformular auf der Website.",
        ]
    return [
        "**Partner Care can help**",
        f"Phone: {PARTNER_CARE_PHONE} · E-mail: {PARTNER_CARE_EMAIL} · or the contact form on the website.",
    ]


def render_reply(answer: Answer, reminders: list[tuple[str, str]], passages: list[str]) -> str:
    """The full Markdown reply: findings, reminders, process passages, hand-off."""
    lang = answer.language
    de = lang == "de"
    out: list[str] = []
    if answer.injection_detected:
        out.append(
            "_Hinweis: Anweisungen im Text an den Assistenten wurden ignoriert; die Bewertung folgt allein der Co-op-Guidance._"
            if de
            else "_Note: instructions to the assistant inside the message were ignored; "
            "the verdicts follow the Co-op guidance only._"
        )
    if answer.findings:
        out.append("**Ergebnis der Prüfung**" if de else "**Result of the check**")
        for n, f in enumerate(answer.findings, 1):
            out += _finding_block(n, f, lang)
    if answer.unassessed:
        parts = ", ".join(f"„{md_escape(u)}“" if de else f'"{md_escape(u)}"' for u in answer.unassessed)
        out.append(
            f"Nicht gesondert geprüft: {parts} (ein einzelnes Wort oder eine kurze Rückfrage neben den obigen "
            "Aktivitäten). Ist es eine eigene Aktivität, fragen Sie bitte mit ein paar Worten mehr danach."
            if de
            else f"Not checked separately: {parts} (a single word or a short follow-up question beside the "
            "activities above). If it is an activity of its own, please ask about it in a few more words."
        )
    if reminders:
        out.append("**Bitte beachten**" if de else "**Please note**")
        out += [f"- {text} _({section})_" for text, section in reminders]
    if passages:
        out.append("**Aus der Co-op-Guidance**" if de else "**From the Co-op guidance**")
        out += passages
    if not answer.findings and not passages:
        out.append(
            "Ich konnte in Ihrer Nachricht keine Aktivität erkennen, die ich anhand der Co-op-Guidance prüfen kann. "
            "Nennen Sie bitte die konkrete Maßnahme (z. B. „LinkedIn-Anzeigen“ oder „Kundenworkshop“)."
            if de
            else "I could not find an activity in your message that I can check against the Co-op guidance. "
            "Please name the concrete activity (e.g. \"LinkedIn ads\" or \"a customer workshop\")."
        )
    if answer.handoff is not None:
        out += handoff_block(lang)
    if answer.guidance_version and (answer.findings or passages):
        out.append(f"_Grundlage: {answer.guidance_version}_" if de else f"_Based on: {answer.guidance_version}_")
    return "\n\n".join(out)


_INPUT_ERRORS_DE = {
    "binary": "Die Frage sieht nach Binärdaten aus, nicht nach Text. Bitte tippen oder fügen Sie die Frage als Text ein.",
    "encoding": "Die Frage ist kein gültiger UTF-8-Text. Bitte fügen Sie sie als reinen Text ein.",
    "type": "Die Frage muss ein Text sein.",
    "empty": "Die Frage ist leer. Bitte beschreiben Sie die Aktivität, die Sie mit Co-op-Mitteln bezahlen möchten.",
    "too_long": "Die Frage hat {length} Zeichen; erlaubt sind höchstens {limit}. Bitte kürzen Sie sie auf die "
                "Aktivitäten, die geprüft werden sollen, oder senden Sie sie als mehrere Fragen.",
    "history_type": "'history' muss eine Liste der früheren Nachrichten (Texte) sein, die älteste zuerst.",
    "history_turns": "Der Verlauf hat {length} Nachrichten; erlaubt sind höchstens {limit}. Bitte senden Sie die letzten "
                     "{limit} Nachrichten des Gesprächs, die älteste zuerst.",
    "history_chars": "Der Verlauf hat {length} Zeichen; erlaubt sind höchstens {limit}. Bitte senden Sie nur die "
                     "Nachrichten, die zur Frage führen, die älteste zuerst.",
}


def input_error_reply(exc: InputError, language: str) -> str:
    """The reply to input that cannot be processed, in the question's language (the `error` field stays English)."""
    if language != "de" or exc.code not in _INPUT_ERRORS_DE:
        return str(exc)
    params = {k: f"{v:,}".replace(",", ".") for k, v in exc.params.items()}
    reply = _INPUT_ERRORS_DE[exc.code].format(**params)
    # an earlier message of the history (`text.clean_history`): its position, 1 = the oldest
    return f"Nachricht {params['turn']} des Verlaufs: {reply}" if "turn" in params else reply
