"""The drafting chain for Partner Care staff: a ready-to-send reply, deterministic without an LLM."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable

from assistant.chains.answer import Reply
from assistant.chains.guard import guarded_call, language_name
from assistant.chains.llm import deadline_of
from assistant.engine import Assistant
from assistant.models import PARTNER_CARE_EMAIL, PARTNER_CARE_PHONE, Answer
from assistant.render import CATEGORY, VERDICT_PLAIN

POLISH_PROMPT = ChatPromptTemplate.from_messages([
    ("system", "Polish this Partner Care e-mail draft in {language_name}. Keep every verdict, every quote in „…“ "
               "verbatim, the contact details and the signature. Add nothing. Reply with the e-mail only."),
    ("human", "{draft}"),
])


def draft_text(answer: Answer, reminders: list[tuple[str, str]]) -> str:
    """Greeting, one paragraph per activity with the quoted rule, POE reminders, next steps, signature."""
    de = answer.language == "de"
    v = VERDICT_PLAIN["de" if de else "en"]
    lines = ["Sehr geehrte Damen und Herren," if de else "Dear Partner,", "",
             "vielen Dank für Ihre Anfrage zu Ihren Co-op-Mitteln. Unsere Einschätzung anhand der Co-op-Guidance:"
             if de else "thank you for your question about your Co-op funds. Our assessment based on the Co-op guidance:",
             ""]
    for n, f in enumerate(answer.findings, 1):
        cat = f" ({CATEGORY[f.category]})" if f.category else ""
        lines.append(f"{n}. „{f.activity}“: {v[f.verdict]}{cat}." if de else f'{n}. "{f.activity}": {v[f.verdict]}{cat}.')
        if f.source_quote:
            lines.append(f"   Grundlage: „{f.source_quote}“ ({f.section})" if de
                         else f"   Basis: „{f.source_quote}“ ({f.section})")
        if f.verdict == "needs_info":
            lines.append("   " + f.explanation)
    if not answer.findings:
        lines.append("Ihre Anfrage nennt keine konkrete Aktivität; bitte beschreiben Sie die geplante Maßnahme."
                     if de else "Your message names no specific activity; please describe the planned measure.")
    if reminders:
        lines += ["", "Bitte beachten Sie:" if de else "Please note:"] + [f"- {text}" for text, _ in reminders]
    lines += ["", "Nächste Schritte:" if de else "Next steps:"]
    if any(f.verdict == "eligible" for f in answer.findings):
        lines.append("- Lassen Sie die förderfähigen Aktivitäten vorab genehmigen und reichen Sie den Claim mit POE ein."
                     if de else "- Get the eligible activities pre-approved, then submit the claim with proof of execution.")
    if answer.handoff is not None:
        lines.append("- Für die übrigen Punkte klären wir gern die Details mit Ihnen." if de
                     else "- For the other items we are happy to clarify the details with you.")
    lines += ["", "Mit freundlichen Grüßen" if de else "Kind regards", "Ihr Partner Care Team" if de else "Partner Care",
              f"Telefon: {PARTNER_CARE_PHONE}" if de else f"Phone: {PARTNER_CARE_PHONE}",
              f"E-Mail: {PARTNER_CARE_EMAIL}"]
    return "\n".join(lines)


class DraftChain:
    """engine → deterministic draft → (optional) LLM polish behind the guard."""

    def __init__(self, assistant: Assistant, llm: BaseChatModel | None = None) -> None:
        self.assistant = assistant
        self.polish: Runnable | None = (POLISH_PROMPT | llm | StrOutputParser()) if llm is not None else None
        self.deadline = deadline_of(llm)

    def invoke(self, message: str) -> Reply:
        answer = self.assistant.answer(message)
        if answer.error:
            return Reply(answer, answer.answer, "deterministic")
        draft = draft_text(answer, self.assistant.reminders_for(answer))
        if self.polish is None:
            return Reply(answer, draft, "deterministic")
        text, why = guarded_call(self.polish, {"language_name": language_name(answer), "draft": draft}, answer,
                                 self.assistant.rules, self.deadline)
        if text is not None and PARTNER_CARE_PHONE not in text:
            text, why = None, "guard: contact details dropped"
        if text is None:
            return Reply(answer, draft, "deterministic", why)
        return Reply(answer, text, "llm")
