"""Pydantic models of the rule data: rules, reminders, topics, audiences, not-covered terms and purposes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.models import Category
from assistant.text import words

Kind = Literal["eligible_activity", "allowance", "exclusion"]
Audience = Literal["customer", "internal", "any"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(Strict):
    de: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)

    def all(self) -> list[str]:
        return [*self.de, *self.en]


class Title(Strict):
    de: str
    en: str


class Cases(Strict):
    positive: list[str]
    negative: list[str]

    @model_validator(mode="after")
    def _not_empty(self) -> Cases:
        if not self.positive or not self.negative:
            raise ValueError("every rule needs at least one positive and one negative case")
        return self


class Channels(Strict):
    """Named platforms an activity runs on: a follow-up naming one stays in the activity's frame ("Und Xing?" after
    social media marketing on LinkedIn), and a weaker learned reading of the rule stands where one is named (matcher
    step 6: "a LinkedIn campaign"). Names never decide a verdict alone."""

    names: list[str] = Field(min_length=1)
    origin: str = Field(min_length=3)

    def folded(self) -> frozenset[str]:
        """The names as folded words joined by spaces ("Bing Ads" → "bing ads"), as messages are read."""
        return frozenset(" ".join(words(n)) for n in self.names)


class Rule(Strict):
    """One decision of the guidance: an eligible activity, an allowance or an exclusion."""

    id: str = Field(pattern=r"^(dg|md|ps|allow|excl)\.[a-z0-9-]+$")
    kind: Kind
    category: Category | None
    section: str
    source_quote: str = Field(min_length=3)
    title: Title
    audience: Audience = "any"
    # whom the activity is for, by the guidance's category: Demand Generation and Market Development are marketing to a
    # broad or a defined target group ("customers"), Partner Skilling trains the partner's own teams ("staff"); an
    # activity named for the other audience alone contradicts it (matcher step 9)
    for_whom: Literal["customers", "staff", "any"] = "any"
    # the rule's own wording names staff (the customers' employees of an employee-purchase web shop): a staff word
    # contradicts `for_whom: customers` only with a possessive of the partner's own ("our staff", „unsere Leute“)
    staff_in_wording: bool = False
    terms: Bilingual
    ambiguous_terms: Bilingual = Bilingual()
    examples: Bilingual
    cases: Cases
    channels: Channels | None = None
    # the rules whose activities this one is made of ("Multitouch-Digitalkampagnen" combine e-mail, ads, social media and
    # web pages): named beside it in one message, they are its touchpoints, not activities of their own
    parts: list[str] = Field(default_factory=list)
    # the rules whose activities a campaign takes in as touchpoints too when its sentence calls it one campaign or a
    # sequence ("E-Mail + Display + Call-Down als eine Strecke"), though they are no part of it elsewhere
    touchpoints: list[str] = Field(default_factory=list)
    # the channels a campaign's touchpoints are named by in such a sentence ("an ad, then an email, then a banner")
    touchpoint_words: Bilingual = Bilingual()
    # terms that also name the place where another activity runs ("Banner auf unserer Website", "articles shown on our
    # website"): after a preposition of place they are that place, not this activity (`Matcher.lexical_hits`)
    place_terms: Bilingual = Bilingual()
    # terms that also name what another activity is about ("ein Webinar zur Azure-Migration", "calls to book
    # appointments for Azure migrations"): after a preposition of topic they are that topic — when the rest of the
    # activity is decided by another rule (`Matcher.decide`); alone ("Co-op für Migrationen?") they still decide
    topic_terms: Bilingual = Bilingual()

    @property
    def names_microsoft(self) -> bool:
        """The guidance's own wording makes the activity Microsoft's ("Microsoft-Zertifizierungen", "Von Microsoft
        organisierte Konferenzen", "Microsoft-syndizierte Inhalte"): what it promotes must be Microsoft's."""
        return "microsoft" in self.source_quote.lower()

    @field_validator("terms")
    @classmethod
    def _has_terms(cls, v: Bilingual) -> Bilingual:
        if not v.de or not v.en:
            raise ValueError("a rule needs German and English trigger terms")
        return v

    @model_validator(mode="after")
    def _kind_matches_category(self) -> Rule:
        if self.kind == "eligible_activity" and self.category is None:
            raise ValueError("an eligible activity needs a category")
        if self.kind == "exclusion" and self.category is not None:
            raise ValueError("an exclusion has no category")
        if self.ambiguous_terms.all() and self.audience == "any":
            raise ValueError("ambiguous_terms need an audience (customer or internal) that confirms them")
        for name, listed in (("place_terms", self.place_terms), ("topic_terms", self.topic_terms)):
            if not set(listed.all()) <= set(self.terms.all()):
                raise ValueError(f"{name} must be terms of the rule: "
                                 + ", ".join(sorted(set(listed.all()) - set(self.terms.all()))))
        return self


class Reminder(Strict):
    """A pre-approval, POE or claim reminder quoted from the guidance."""

    id: str
    section: str
    source_quote: str
    text: Title
    applies_to: Literal["all_eligible"] | list[str]


class Topic(Strict):
    """A process topic (no activity): which words point to it and which sections answer it."""

    id: str
    sections: list[str]
    terms: Bilingual
    answerable: bool = True
    # a question about this topic asks how an activity is handled (its proof, its claim, its approval), not whether it
    # is eligible: the activity it names gets no finding of its own
    handling: bool = False
    # the topic is a category of the guidance: named in a label frame ("Is that an event under demand gen?", „fällt das
    # unter Partner Skilling?“) it is the partner's proposed label for what the message describes, not a question about it
    category: bool = False


class NotCovered(Strict):
    """Things the guidance does not cover: they stop the semantic fallback from guessing.

    `terms` name the thing itself (office rent, a company car); `cost_words` name a kind of cost any activity can
    have (rent, power, cleaning, furniture, insurance): they say "not covered" only where no eligible activity or
    allowance is named whose cost it is („Strom und Reinigung für den Messestand" is the trade show's). `sectors` are
    those of its terms that name a profession partners also sell to (tax advisors, lawyers): right after a preposition
    of audience without an article they say whom an activity addresses („Banner für Steuerberater"), not a bill."""

    id: str
    terms: Bilingual
    cost_words: Bilingual = Field(default_factory=Bilingual)
    sectors: Bilingual = Field(default_factory=Bilingual)


class Purpose(Strict):
    """A purpose that is not Co-op marketing of Microsoft offerings (issue #6, the slot "what it promotes").

    The guidance funds activities that raise "die Sichtbarkeit … von Microsoft-Produkten" and skill staff
    "rund um Microsoft-Lösungen" (overview, demand generation, partner skilling); an activity around
    these words is for something else: recruiting, a private matter, another organisation, another
    vendor's offering. `waived_by_offering`: a Microsoft offering named in the same place settles it
    ("von AWS nach Azure migrieren").
    """

    id: str = Field(pattern=r"^[a-z-]+$")
    terms: Bilingual
    origin: str = Field(min_length=10)
    waived_by_offering: bool = False


class RuleFile(Strict):
    rules: list[Rule] = Field(default_factory=list)
    reminders: list[Reminder] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    not_covered: list[NotCovered] = Field(default_factory=list)
    audiences: dict[Literal["customer", "internal"], Bilingual] = Field(default_factory=dict)
    frame_words: Bilingual | None = None
    abbreviations: dict[str, str] = Field(default_factory=dict)
    settled_cues: Bilingual | None = None
    claimed_cues: Bilingual | None = None  # settled cues that report the claim or its payment as done
    detail_words: Bilingual | None = None  # amounts, time, quantities, suppliers: an activity's details
    particles: Bilingual | None = None  # modal particles: no activity word, though the readers read them
    audience_open: Bilingual | None = None  # who takes part, said to be undecided: the audience slot is unknown
    idioms: Bilingual | None = None  # fixed expressions made of activity words ("of course"): read as nothing
    exam_code_prefixes: list[str] = Field(default_factory=list)  # "MB-910", "SC-200": a Microsoft exam by its code
    purposes: list[Purpose] = Field(default_factory=list)
    offerings: Bilingual | None = None  # Microsoft product, service and programme names
