"""Typed answers of the contract (shared/contract.md): findings, sources, hand-off, answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["eligible", "not_eligible", "unclear", "needs_info"]
Category = Literal["demand_generation", "market_development", "partner_skilling"]
Language = Literal["de", "en"]

PARTNER_CARE_PHONE = "+49 30 76758732"
PARTNER_CARE_EMAIL = "support@partnercare.de"


class Finding(BaseModel):
    """The verdict on one activity named in the question."""

    activity: str
    verdict: Verdict
    category: Category | None = None
    rule_id: str | None = None
    source_quote: str | None = None
    section: str | None = None
    explanation: str
    confidence: float = Field(ge=0.0, le=1.0)
    # extensions (allowed by the contract): how the decision was reached
    matched_by: Literal["lexical", "learned", "semantic", "none"] = "none"
    matched_terms: list[str] = Field(default_factory=list)
    section_id: str | None = None
    source_quote_en: str | None = None
    candidates: list[str] = Field(default_factory=list)


class Source(BaseModel):
    """A retrieved passage of the original German guidance."""

    section: str
    text: str
    score: float
    section_id: str | None = None
    text_en: str | None = None
    basis: bool = False  # a section a finding rests on, or (no findings) one a process topic asks about; else a
    # retrieval neighbour


class Handoff(BaseModel):
    """Partner Care contact, attached whenever the answer is not a clear yes."""

    reason: str
    phone: str = PARTNER_CARE_PHONE
    email: str = PARTNER_CARE_EMAIL
    contact_form: bool = True


class Answer(BaseModel):
    """The structured answer every consumer reads."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    question: str
    language: Language = "de"
    findings: list[Finding] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    answer: str = ""
    handoff: Handoff | None = None
    error: str | None = None
    # extensions
    guidance_version: str | None = None  # the edition of the guidance the verdicts rest on (knowledge manifest)
    # how the message continued its conversation (social/new/audience/reference/ellipsis; condensed: the optional model
    # rewrote it, `assistant.chains.condense`)
    turn: str | None = None
    resolved_question: str | None = None  # what was checked when a follow-up was read in its context
    # the activities (as their earlier findings named them) this turn decides again: an answer to the clarifying
    # question, a corrected audience — their earlier findings no longer stand
    supersedes: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    injection_detected: bool = False
    unassessed: list[str] = Field(default_factory=list)

    @classmethod
    def for_error(cls, message: str, qid: str | None = None, question: str = "", language: Language = "de",
                  reply: str | None = None) -> Answer:
        """The answer to input that could not be processed: `error` the (English) message, `answer` the reply a
        person reads (`reply`, in `language`; the message when not given), and the hand-off."""
        return cls(id=qid, question=question, language=language, error=message, answer=reply or message,
                   handoff=Handoff(reason="The input could not be processed."))

    def to_contract(self) -> dict[str, object]:
        """The JSON object of the contract: `error` only when set, `handoff` always present as key."""
        data = self.model_dump(mode="json")
        if data.get("error") is None:
            data.pop("error", None)
        return data
