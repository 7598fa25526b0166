"""Reading a real message (issue #6): negation, settled context, booking labels, short forms, and the issue's inputs."""

from __future__ import annotations

import re

import pytest

from assistant.rules.matcher import without_negated

NEGATION = [
    ("german keine", "ist keine messe sondern kundentermine", ("ist", "sondern", "kundentermine")),
    ("english not a", "this is not a trade show", ("this", "is")),
    ("nicht nur negates nothing", "nicht nur messe", ("nicht", "nur", "messe")),
    ("not only negates nothing", "not only linkedin ads", ("not", "only", "linkedin", "ads")),
    ("no negator", "linkedin anzeigen", ("linkedin", "anzeigen")),
    ("statt names what is replaced", "anzeige statt in der zeitung auf xing", ("anzeige", "auf", "xing")),
    ("instead of names what is replaced", "xing ads instead of linkedin", ("xing", "ads")),
    # session 20 (a kind from a readable dialogue probe): what is left out is not asked either
    ("ohne names what is left out", "proof of concept beim kunden ganz ohne surestep", ("proof", "of", "concept", "beim",
                                                                                      "kunden", "ganz")),
    ("without names what is left out", "a webinar without mdf money", ("a", "webinar")),
    # session 34 (a kind from a readable dialogue probe; rows written here): what a correction calls off is not asked
    ("a plan called off", "actually scrap the print ad we d rather send a postcard", ("actually", "we", "d", "rather",
                                                                                       "send", "a", "postcard")),
    ("… in German", "vergiss die printanzeige und nimm linkedin", ("und", "nimm", "linkedin")),
    # session 23: a negation before the clause's final verb denies the clause; "noch nicht" / "or not" do not
    ("a clause denied at its end", "eine messe wollen wir dieses jahr nicht machen", ()),
    ("no longer", "telemarketing machen wir nicht mehr", ()),
    ("not yet booked", "die messe haben wir noch nicht gebucht", ("die", "messe", "haben", "wir", "noch")),
    ("or not", "ist die messe foerderfaehig oder nicht", ("ist", "die", "messe", "foerderfaehig", "oder")),
    # session 24 (a kind from a readable realworld probe; rows written here): English contractions negate after a
    # subject, the verbs of wanting do not count towards the two words, "or" after a denied word denies the next one
    ("a contraction after its subject", "we don t want to run any webinars this year", ("we", "don", "year")),
    ("or after a denied word", "we do not plan telemarketing or print this year", ("we", "do", "year")),
    ("a question's contraction asks", "why don t we book a booth", ("why", "don", "t", "we", "book", "a", "booth")),
    ("not knowing denies nothing", "we don t know if the webinar counts", ("we", "don", "t", "know", "if", "the",
                                                                           "webinar", "counts")),
    ("can't is no denial of the activity", "we can t run the trade show alone", ("we", "can", "t", "run", "the", "trade",
                                                                                  "show", "alone")),
]


@pytest.mark.parametrize(("text", "kept"), [r[1:] for r in NEGATION], ids=[r[0] for r in NEGATION])
def test_negated_words_are_not_the_activity(text: str, kept: tuple[str, ...]) -> None:
    assert without_negated(tuple(text.split())) == kept


def test_short_forms_are_written_out(lexical_checker) -> None:  # type: ignore[no-untyped-def]
    rules = lexical_checker.rules
    assert rules.expand("ne Insta-Kampagne und ein PoC") == "ne instagram kampagne und ein proof of concept"
    assert rules.expand("Google Ads") == "google ads"


def test_settled_statements_are_context(lexical_checker) -> None:  # type: ignore[no-untyped-def]
    assert lexical_checker.settled("We know co-funding MDF is off limits.")
    assert lexical_checker.settled("Uns ist klar, dass MDF-Kofinanzierung ausgeschlossen ist.")
    assert not lexical_checker.settled("Können wir MDF-Kampagnen mit Co-op aufstocken?")


# The inputs quoted in issue #6 with the values it gives (each kind is fixed in the policy, not per input).
ISSUE_6 = [
    ("printed trade journal", "We'd like to place an advert in a printed trade journal. Co-op?",
     [("eligible", "dg.print-ads")]),
    ("award trip booked as SPIFF", "Unser Chef will den drei besten Verkäufern eine Reise nach Rom spendieren und sie "
     "als SPIFF abrechnen. Geht das?", [("not_eligible", "excl.seller-award-trips")]),
    ("known exclusion is context", "We know co-funding MDF is off limits. This time it's only a newsletter to our "
     "customers about Defender — fine?", [("eligible", "dg.direct-email-sms")]),
    ("helpdesk SMS gateway", "Can co-op pay for the SMS gateway our helpdesk uses to text our technicians?",
     [("unclear", None)]),
    ("job ad on LinkedIn", "Kann Co-op eine Stellenanzeige auf LinkedIn für zwei Azure-Engineers bezahlen?",
     [("unclear", None)]),
    # session 6 to 12 a strict xfail (the recogniser read the sales manager's trip as a seller award trip); right since
    # the session-13 corpus (everyday texts: delivery travel, own operations)
    ("business trip, not a fair", "Die Reise unseres Vertriebsleiters nach Hamburg ist keine Messe, nur Kundentermine. "
     "Zahlt Co-op Bahn und Hotel?", [("unclear", None)]),
    ("colloquial insta", "kann man mit coop kohle ne insta kampagne machen?", [("eligible", "dg.social-media")]),
]


# The slot "what it promotes" (matcher step 9): an activity for another purpose is "unclear"; a Microsoft offering
# named with another vendor settles it; another activity's purpose words stay with that activity.
PURPOSE = [
    # session 34 (found writing a test here; rows written here, the first failing before): a clause that says what for
    # („und zwar …“) is the activity's own purpose, not an item of its own — the ads had been eligible beside it
    ("a purpose said with „und zwar“", "Können wir LinkedIn-Anzeigen zu Azure schalten, und zwar für die Firma meines "
     "Bruders?", [("unclear", None)]),
    ("… for customers", "Können wir LinkedIn-Anzeigen zu Azure schalten, und zwar für unsere Kunden im Handwerk?",
     [("eligible", "dg.digital-advertising")]),
    # session 31 (a kind from a readable dialogue probe; rows written here): a business run on the side, said with its
    # verb, is another business
    ("a business run on the side", "Could co-op cover Facebook ads for the bike repair shop my partner and I run on "
     "the side?", [("unclear", None)]),
    ("a business run on the side, German", "Können wir LinkedIn-Posts für die Eventagentur, die wir nebenbei "
     "betreiben, mit Co-op zahlen?", [("unclear", None)]),
    # session 26 (a kind from a readable probe; row written here): a second company of the owners is another business
    ("a second company of the owners", "We own a second company, a property management firm. Can co-op pay for SEO "
     "on its website?", [("unclear", None)]),
    ("another vendor's bootcamp", "Is an AWS bootcamp for our customers eligible?", [("unclear", None)]),
    ("another vendor's training for staff", "Können wir eine Tableau-Schulung für unser internes Analytics-Team über "
     "Co-op abrechnen?", [("unclear", None)]),
    ("a Microsoft offering waives the vendor", "Können wir die Migration unserer Kunden von Google Workspace zu "
     "Microsoft 365 über Co-op abrechnen?", [("eligible", "md.migration-services")]),
    # session 25 (a kind from a new user's trial; rows written here): … but not the vendor a change leads to
    ("a migration away from Microsoft", "Können wir die Migration eines Kunden von Exchange Online auf Google Workspace "
     "über Co-op abrechnen?", [("unclear", None)]),
    ("… to the vendor's cloud", "Can co-op pay for migrating a customer's file shares from Azure to the AWS cloud?",
     [("unclear", None)]),
    # session 25 (a kind from a new user's trial and a readable probe; rows written here): a negation right before
    # "Microsoft" denies the link
    ("„nicht Microsoft“", "Können wir ein Kundenseminar zu unserer eigenen Warenwirtschaft (nicht Microsoft) über "
     "Co-op bezahlen?", [("unclear", None)]),
    ("nothing Microsoft", "Can co-op pay an agency for Google ads promoting our printer leasing? That offer is nothing "
     "Microsoft.", [("unclear", None)]),
    ("not Microsoft", "Can co-op pay for LinkedIn posts about our CCTV installation service? Not Microsoft, just our "
     "own service.", [("unclear", None)]),
    # session 23 (the kind from a readable negative probe; rows written here): a relative beyond the immediate family
    ("an aunt's studio", "My aunt runs a yoga studio. Could co-op pay for Instagram ads for the studio?",
     [("unclear", None)]),
    ("einer Tante Café", "Meine Tante führt ein Café. Können wir für sie Facebook-Anzeigen über Co-op schalten?",
     [("unclear", None)]),
    # session 19: … but not a vendor the activity itself names when the offering is named elsewhere in the message
    ("the activity names the other vendor", "We resell Microsoft 365 and also Fortinet firewalls. Can co-op pay for a "
     "LinkedIn ad campaign for the FortiGate appliances?", [("unclear", None)]),
    # session 19, from a new user's trial (rows written here): a Microsoft link denied in so many words; a fair that
    # Microsoft does not run is still a fair for Microsoft offerings
    # session 22 (a new user's trial; row written here): an exclusion for the partner's own staff does not reach a trip
    # for customers — the guidance does not decide it
    ("a reward trip for customers", "Können wir eine Incentive-Reise für unsere besten Kunden nach Lissabon über Co-op "
     "bezahlen?", [("unclear", None)]),
    # session 22, from a readable negative probe (row written here): an activity that points back ("dafür") is for
    # what the message said before it, even when that was decided on its own
    ("an ad campaign for a donation drive", "Wir sammeln mit unserem Team Spenden für die örtliche Tafel und wollen "
     "dafür Facebook-Anzeigen schalten. Geht das über Co-op?", [("unclear", None)]),
    ("a Microsoft link denied", "Can co-op pay for LinkedIn ads for our time-tracking app? It has nothing to do with "
     "Microsoft.", [("unclear", None)]),
    ("a Microsoft link denied, German", "Können wir einen Stand auf einer Messe über Co-op zahlen, auf der wir nur "
     "unsere eigene Zeiterfassungs-Software ohne Microsoft-Bezug zeigen?", [("unclear", None)]),
    ("a side business", "Can we run Google Ads for our plumbing side business?", [("unclear", None)]),
    ("a sister company's call campaign", "Our sister company sells e-bikes and wants an outbound call campaign to "
     "cycling clubs. Can they use our co-op for the telemarketing?", [("unclear", None)]),
    ("a sister company that sells Microsoft 365", "Unsere Schwesterfirma verkauft Microsoft 365 an Handwerker – können "
     "wir dafür Google Ads über Co-op schalten?", [("eligible", "dg.digital-advertising")]),
    ("a fair Microsoft does not run", "Können wir einen Stand auf einer Fachmesse, die nicht von Microsoft veranstaltet "
     "wird, für unsere Azure-Services über Co-op zahlen?", [("eligible", "dg.trade-shows-events")]),
    ("recruiting stays with the job ad", "Können wir LinkedIn-Anzeigen und eine Stellenanzeige für Entwickler bezahlen?",
     [("eligible", "dg.digital-advertising"), ("unclear", None)]),
    ("private matter", "Can co-op pay for Facebook ads for my wife's yoga studio?", [("unclear", None)]),
    ("another organisation", "Eine Printanzeige im Heft des Fußballvereins – geht das über Co-op?", [("unclear", None)]),
    # session 12, the audience slot of a rule for customers and prospects (rule data `for_whom`); written for these
    # tests: before, each was eligible
    ("an event for our own staff", "Können wir ein Event für unsere Mitarbeiter über Co-op bezahlen?",
     [("unclear", None)]),
    ("an SMS campaign to our own sellers", "Können wir eine SMS-Kampagne an unsere Vertriebsmitarbeiter bezahlen?",
     [("unclear", None)]),
    ("a trade fair only for the staff", "We're hosting a small expo just for our employees. Can co-op pay for it?",
     [("unclear", None)]),
    ("customers named beside the staff", "Können wir ein Event für Kunden und Mitarbeiter über Co-op bezahlen?",
     [("eligible", "dg.trade-shows-events")]),
    ("a rule about the partner's staff keeps them", "Can co-op fund a SPIFF programme for our sales reps selling "
     "Microsoft 365?", [("eligible", "md.incentives-spiff")]),
    ("a skilling rule named for customers", "Can co-op pay for the AZ-900 exam vouchers of our customers?",
     [("unclear", None)]),
    ("a Microsoft conference for customers", "Können wir zwei Kunden zur Microsoft Ignite schicken und das über Co-op "
     "bezahlen?", [("unclear", None)]),
    ("a skilling rule for the partner's engineers", "Can co-op pay for our engineers' AZ-104 exams?",
     [("eligible", "ps.certifications-exams")]),
    ("Teams with a capital is the product", "Dürfen wir LinkedIn-Anzeigen für unser Teams-Paket über Co-op abrechnen?",
     [("eligible", "dg.digital-advertising")]),
    ("the product in English", "Can we run LinkedIn ads for our Teams bundle?", [("eligible", "dg.digital-advertising")]),
    # session 20 (a kind from a readable negative probe; row written here): Microsoft's name on the fund ("our Microsoft
    # co-op budget") is no offering that waives the purpose; before, this was eligible
    ("Microsoft names the fund, not an offering", "Our managing director also owns a small bakery and wants to run a "
     "proof of concept for a gluten-free bread line. Can we use our Microsoft co-op budget for that PoC?",
     [("unclear", None)]),
]


# Session 6 (issue #6, plain wording): the activity is described in one sentence and asked about in another that
# names only its costs or a pointer; and a bare word ("event") is read in the message around it. Written for these
# tests, not taken from an eval set; the first three got "unclear" before, the last two guard against a false yes.
ANOTHER_SENTENCE = [
    ("costs of a described booth", "Im Herbst stellen wir auf der Hannover Messe mit einem eigenen Stand unsere "
     "Azure-IoT-Lösungen vor. Standfläche und Messebau – geht das über Co-op?", [("eligible", "dg.trade-shows-events")]),
    ("printing and postage of a described mailing", "Wir wollen 2.000 Bestandskunden einen gedruckten Brief zu Windows 11 "
     "per Post schicken. Druck und Porto über Co-op?", [("eligible", "dg.direct-email-sms")]),
    ("vouchers of a described exam", "We're sending three engineers to the AZ-104 exam next week. Can co-op pay the exam "
     "vouchers?", [("eligible", "ps.certifications-exams")]),
    ("a generic word yields to the reading", "The regional business weekly offered us a half page in its printed "
     "spring issue to present our Azure backup service. Co-op?", [("eligible", "dg.print-ads")]),
    ("a not-covered neighbour says nothing about the booth", "Hallo, können wir unseren Messestand auf der DMEA und "
     "Gehälter für unser Vertriebsteam über Co-op abrechnen?", [("eligible", "dg.trade-shows-events"), ("unclear", None)]),
    ("a club's festival called an event", "Our bowling club holds its summer festival in June. It's an event – can we "
     "use Co-op?", [("unclear", None)]),
    ("a school ball called an event", "Unsere Tochter feiert Abiball. Das ist doch ein Event – über Co-op?",
     [("unclear", None)]),
]


# Session 7 (issue #6, a generic word never decides "eligible" alone): a one-word term the words around it do not
# corroborate, a piece that only names again what another piece set aside (the none-veto, the purpose slot, an
# exclusion), and amounts. Written for these tests, not taken from an eval set; before, each of the first five said
# "eligible" somewhere; the last two guard the yes.
SET_ASIDE = [
    ("a league's champion", "Our bowling league crowns a champion every month and he gets a cup. Can co-op pay for the "
     "cup?", [("unclear", None)]),
    ("a table-football champion", "Beim Kickerturnier im Büro bekommt der Champion einen Pokal. Zahlt das Co-op?",
     [("unclear", None)]),
    ("the exam fee of another body's certification", "Our receptionist is taking the ITIL 4 Foundation certification "
     "next month. Can co-op pay the exam fee?", [("unclear", None)]),
    ("the exam fee of a forklift licence", "Unser Hausmeister macht den Staplerschein mit Prüfung bei der IHK. Kann "
     "Co-op die Prüfungsgebühr zahlen?", [("unclear", None)]),
    ("an invoice amount is no exam code", "Rechnung Nr. 4711 über 2.900 € – Co-op?", [("unclear", None)]),
    # session 17: a short term (SEO, SMS, PoC) is the activity's own word, not a subject besides it
    ("a short term names the set-aside activity again", "Der Tennisverein meines Bruders braucht eine neue Website. Wir "
     "würden die über unsere Agentur bauen lassen, SEO inklusive. Co-op?", [("unclear", None)]),
    ("a Microsoft exam stays eligible", "Can we pay the AZ-900 exam vouchers for our engineers with co-op?",
     [("eligible", "ps.certifications-exams")]),
    ("two activities of one sentence stay two", "Wir machen eine Messe zu Copilot und eine SMS-Kampagne. Co-op?",
     [("eligible", "dg.trade-shows-events"), ("eligible", "dg.direct-email-sms")]),
    # session 22 (a new user's trial; row written here): the staff's work laptops are no demo devices
    ("work laptops are no demo devices", "Wir brauchen neue Surface-Geräte als Arbeitslaptops für unsere Berater. Geht das "
     "über Co-op?", [("unclear", None)]),
]


# Session 8 (issue #6, plain wording): an activity described in everyday words and asked about is decided by a
# weaker reading of the recogniser its sentence shares (matcher step 6). Written for these tests, not taken from an
# eval set; before, the first two were "unclear" and nothing at all; the last guards a statement that asks nothing.
PLAIN_WORDS = [
    ("a trial environment before the purchase", "Wir stellen für einen Interessenten eine Probeumgebung in Azure "
     "bereit, damit er vor dem Kauf sieht, dass seine Software dort läuft. Geht das über Co-op?",
     [("eligible", "md.proof-of-concept")]),
    ("a colleague stationed at the customer's office", "Our support lead would spend three days a week at the "
     "customer's office, helping their people get going with Copilot. Co-op?", [("eligible", "md.onsite-champions")]),
    ("never used the funds asks about planning, not an activity", "We've never used the funds before. How far ahead "
     "should we plan?", []),
    # the party is not the activity: "Solution Building mit Drittanbietern" needs the solution, not a third party's tool
    ("a third party's tool names no solution building", "Wir buchen Google Ads für unser Microsoft-365-Angebot über das "
     "Tool eines Drittanbieters. Geht das über Co-op?", [("eligible", "dg.digital-advertising")]),
    ("solution building with a third party stays eligible", "Wir entwickeln mit einem Drittanbieter eine gemeinsame "
     "Lösung für Teams-Telefonie. Co-op?", [("eligible", "md.third-party-solutions")]),
    # session 19, from a new user's trial (rows written here): a weaker reading stands when the text names a platform
    # of the rule read (rule data `channels`), as it does when it names a Microsoft offering; a club's campaign does not
    ("a campaign on a platform of the rule read", "We'd like to start a LinkedIn campaign in spring. Co-op?",
     [("eligible", "dg.social-media")]),
    ("a club's campaign on that platform", "Unser Fußballverein möchte eine LinkedIn-Kampagne für das Sommerfest – "
     "Co-op?", [("unclear", None)]),
    # session 19 (a kind from a readable dialogue probe; rows written here): the word between a possessive and the
    # audience noun says which staff, not what the activity is („unsere Data Engineers“ read as data work)
    ("an audience with a modifier, German", "Der Workshop ist intern für unsere Data Engineers.",
     [("eligible", "ps.internal-training")]),
    ("an audience with a modifier, English", "The workshop is for our own helpdesk staff.",
     [("eligible", "ps.internal-training")]),
    # session 28 (a kind from a new user's trial; rows written here): a time or place put first in a clause with the
    # partner as subject is word order, not a phrase of place the recogniser must not read (matcher step 6)
    ("a time put first, English", "In spring we'd like to run a LinkedIn campaign on Microsoft Teams Phone. Co-op?",
     [("eligible", "dg.social-media")]),
    ("a time put first, German", "Im Frühjahr möchten wir Google-Anzeigen für unsere Azure-Migrationen schalten. Co-op?",
     [("eligible", "dg.digital-advertising")]),
    ("a phrase of place stays unread", "In a hotel conference room near the station, with coffee. Co-op?",
     [("unclear", None)]),
]

# Session 9 (issue #6, matcher step 5): a term of one rule yields to a confident reading of the whole activity as
# another, whatever the term's length ("Pilotkunde" names where the champion works, not a proof of concept). Written
# for these tests, not taken from an eval set; before, the first was a proof of concept; the others guard the term.
TERM_YIELDS = [
    ("a champion at a pilot customer", "Wir setzen beim Pilotkunden einen Onsite-Champion für Microsoft Teams ein, der "
     "die Anwender vor Ort begleitet – Co-op?", [("eligible", "md.onsite-champions")]),
    ("a pilot project stays a proof of concept", "Wir machen beim Kunden ein Pilotprojekt mit Azure Virtual Desktop, "
     "bevor er kauft – Co-op?", [("eligible", "md.proof-of-concept")]),
    ("paid placement on a social network is advertising", "Können wir LinkedIn-Anzeigen zu Copilot mit Co-op bezahlen?",
     [("eligible", "dg.digital-advertising")]),
    ("organic posts stay social media", "Organic LinkedIn posts about Copilot written by an agency – co-op?",
     [("eligible", "dg.social-media")]),
    # session 20 (a kind from a readable plain probe; row written here): "invoices" alone named a cost not covered,
    # though every paid activity has invoices — it decided alone (mailing invoices stays: "postage + invoices")
    ("an activity's invoices are no cost of their own", "Our agency sent the invoices for our Google Ads campaign on "
     "Azure backup. Can co-op pay them?", [("eligible", "dg.digital-advertising")]),
]

# Session 20 (issue #6 item 2, a kind from a readable realworld probe; rows written here): who takes part, said to be
# open, leaves the audience slot unknown — not taken from another item of the message; before, each training got the
# other item's audience and was eligible
AUDIENCE_OPEN = [
    ("an open audience beside devices for the sales team", "Wir planen einen Workshop zu Microsoft Purview – "
     "Teilnehmerkreis noch offen – und Demo-Laptops für unseren Vertrieb. Co-op?",
     [("needs_info", None), ("eligible", "ps.product-seeding-demo")]),
    ("an open audience beside vouchers for consultants", "We'd like to run a Copilot training day (not sure yet who "
     "attends) and buy AZ-900 vouchers for our consultants. Co-op?",
     [("needs_info", None), ("eligible", "ps.certifications-exams")]),
    # session 23 (a kind from a readable dialogue probe; rows written here): another activity's audience is its own
    ("another item's customer is not the training's", "Two items: a Copilot training day and a proof of concept on "
     "Azure Arc for a retail customer. Co-op?", [("needs_info", None), ("eligible", "md.proof-of-concept")]),
    ("… nor the workshop's", "Können wir einen Workshop zu Power BI und eine Migration der Postfächer eines Kunden "
     "nach Exchange Online über Co-op abrechnen?", [("needs_info", None), ("eligible", "md.migration-services")]),
    # session 24 (a kind from a new user's trial; rows written here): the partner's size names no audience
    ("the company's size is no audience", "Wir sind ein IT-Systemhaus mit rund 50 Mitarbeitern. Geht ein Workshop zu "
     "Microsoft Intune über Co-op?", [("needs_info", None)]),
    ("… in English", "We're a Microsoft partner with 25 employees in Bristol. Can co-op pay for a Copilot workshop?",
     [("needs_info", None)]),
]


# Session 9 (issue #6): a piece that goes on describing the activity decided in its sentence is part of it, one
# finding; an item of its own beside it stays a finding. Written for these tests, not taken from an eval set; before,
# the first had a second, "unclear" finding for "writes posts every week about our Teams phone offering".
CONTINUES = [
    ("the rest of one activity", "Could co-op pay a freelancer who runs our LinkedIn page and writes posts every week "
     "about our Teams phone offering?", [("eligible", "dg.social-media")]),
    ("an item of its own stays", "Can co-op cover on-demand Azure courses for our engineers and a language app "
     "subscription for our receptionist?", [("eligible", "ps.on-demand-training"), ("unclear", None)]),
    ("a membership beside a booth stays", "Wir wollen einen Messestand auf der Hannover Messe und die Jahresgebühr für "
     "den örtlichen Unternehmerverband über Co-op zahlen.", [("eligible", "dg.trade-shows-events"), ("unclear", None)]),
]


@pytest.mark.parametrize(("question", "expected"), [r if hasattr(r, "marks") else pytest.param(*r[1:], id=r[0])
                                                    for r in ISSUE_6 + PURPOSE + ANOTHER_SENTENCE + SET_ASIDE
                                                    + PLAIN_WORDS + TERM_YIELDS + CONTINUES + AUDIENCE_OPEN])
def test_issue_6_inputs_and_purposes(assistant, question: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.answer(question)
    assert [(f.verdict, f.rule_id) for f in answer.findings] == expected
    assert (answer.handoff is not None) == any(v != "eligible" for v, _ in expected)


# Asked vs context: what a statement names is context when a question names its own activity; a statement of
# what is done, approved or dropped is context; the question's activity is read as asked.
CONTEXT = [
    # session 27 (kinds from readable probes; rows written here): what was already claimed said with words between,
    # something "sorted", and what the partner pays itself are context; a process question after them gets no finding
    ("already claimed, words between", "Unsere LinkedIn-Anzeigen haben wir schon im Mai über Co-op abgerechnet. Können wir "
     "jetzt auch eine Bootcamp-Reihe für Kunden zu Azure finanzieren?", [("eligible", "md.customer-seminars")]),
    ("something sorted and paid, then another question", "Our newsletter for Q2 is sorted and paid. Another thing: can "
     "co-op fund the AZ-104 exam for our admin?", [("eligible", "ps.certifications-exams")]),
    ("what the partner pays itself", "Die Messe zahlen wir selbst. Geht eine Google-Ads-Kampagne für Microsoft 365 über "
     "Co-op?", [("eligible", "dg.digital-advertising")]),
    ("an uploaded invoice asked about after a settled claim", "Wir haben die Messe im April bereits über Co-op "
     "abgerechnet. Müssen wir dafür noch die Originalrechnung hochladen?", []),
    # session 30 (a kind from a readable realworld probe; rows written here): a claim reported as done asks nothing, also
    # where nothing else in the message asks, and a proof question about what was claimed asks about the process
    ("a claim reported as done, nothing else asked", "Kurze Info: Die Google-Ads-Kampagne aus dem Mai haben wir "
     "bereits eingereicht, und sie wurde erstattet. Danke!", []),
    ("a proof question about what was claimed", "Do we need dated screenshots of the LinkedIn posts we already "
     "claimed in May, or does the agency's report do?", []),
    # session 31 (kinds from readable probes; rows written here): a claim reported as approved asks nothing with its
    # pay word; a sentence labelled as the reason („Begründung:“) is context
    ("a claim reported as approved", "The claim for our webinar in April was approved, thanks. Next up: banner ads on "
     "a trade portal for our Azure offer. OK?", [("eligible", "dg.digital-advertising")]),
    ("a claim reported as approved, German", "Unser Claim für die Kundenveranstaltung wurde genehmigt, danke. Als "
     "Nächstes: Xing-Anzeigen zu Microsoft 365. Passt?", [("eligible", "dg.digital-advertising")]),
    ("a sentence labelled as the reason", "Können wir die Diensthandys unserer Techniker über Co-op laufen lassen? "
     "Begründung: Sie verschicken damit auch Newsletter-Links an Kunden.", [("unclear", None)]),
    ("paid out of co-op still asks", "Could the trade fair booth for our Azure services be paid out of co-op?",
     [("eligible", "dg.trade-shows-events")]),
    # session 30 (a kind from the readable probes; rows written here): what a causal clause names is the reason, not an
    # item asked about ("since …", „da wir …“, „weil …“); "since" of time is no reason, and a condition that opens the
    # sentence belongs to the question after it
    ("a reason in a causal clause", "The team's mobile contracts and the landline are pricey since we make lots of "
     "sales calls to customers. Can we put them on co-op?", [("unclear", None)]),
    ("a reason in a causal clause, German", "Da wir auch Telemarketing machen: Dürfen wir die neuen Headsets mit Co-op "
     "bezahlen?", [("unclear", None)]),
    # session 30 (a new user's trial; row written here): a clause that brings what the activity comes with ("…, with
    # SEO") is read with it: the club's website and its SEO are one thing, not an eligible SEO beside it
    ("what an activity comes with", "We're rebuilding the website of our founder's football club, with SEO. Can co-op "
     "pay?", [("unclear", None)]),
    ("a condition belongs to its question", "Und falls der Kunde lieber zu Google Cloud statt zu Azure geht, zahlt Co-op "
     "die Migration dann auch?", [("unclear", None)]),
    # session 26 (kinds from a readable realworld probe; rows written here): a turn after something reported as settled
    # and paid ("This time …") is what the message asks about, though the settled sentence named paying; and what the
    # message sets aside as settled is not read as the activity's purpose (the cancelled event had read as "not
    # marketing" for the ads)
    ("a turn after what was settled and paid", "Our webinar series in spring was approved and reimbursed. This time "
     "we'd like to run Facebook ads for Azure instead.", [("eligible", "dg.digital-advertising")]),
    ("settled context is not the activity's purpose", "Unser Kundenevent im Juni ist ausgefallen. Können wir Google "
     "Ads zu Azure über Co-op zahlen?", [("eligible", "dg.digital-advertising")]),
    ("done statement, asked question", "Unsere Plakataktion im Mai ist abgeschlossen. Können wir jetzt auch Google Ads "
     "bezahlen?", [("eligible", "dg.digital-advertising")]),
    # session 23 (a kind from a readable realworld probe; rows written here): … also when the message asks without a
    # question mark
    ("settled statement, asked without a question mark", "Our Google Ads from March were already claimed. Please confirm "
     "that the booth at the Cloud Expo in May is eligible.", [("eligible", "dg.trade-shows-events")]),
    ("… likewise in German", "Die LinkedIn-Kampagne aus Q1 ist bereits abgerechnet. Bitte prüfen, ob der Messestand auf "
     "der it-sa im Oktober förderfähig ist.", [("eligible", "dg.trade-shows-events")]),
    ("approved statement", "The newsletter for Q1 was approved, thanks. Can co-op also pay for a booth at a trade fair?",
     [("eligible", "dg.trade-shows-events")]),
    ("dropped statement", "Telemarketing haben wir gestrichen. Geht stattdessen ein Direct Mailing an Bestandskunden?",
     [("eligible", "dg.direct-email-sms")]),
    ("a statement the question points back to stays asked", "Wir planen eine Roadshow in drei Städten. Geht das über "
     "Co-op?", [("eligible", "dg.trade-shows-events")]),
    ("named as the means", "Können wir eine Postkarten-Aktion an KMU-Kunden über Co-op machen?",
     [("eligible", "dg.direct-email-sms")]),
    ("named as where it is submitted", "Die Google-Ads-Kampagne aus dem März – kann ich die bei Co-op einreichen?",
     [("eligible", "dg.digital-advertising")]),
    ("a proof question naming Co-op asks about no activity", "Welche Nachweise braucht man bei Co-op für eine Messe?", []),
    ("an opening okay acknowledges, it does not ask", "Okay, welche Belege brauchen wir dann für den Newsletter?", []),
    ("a sentence that only acknowledges names no activity", "Fair enough. And a booth at a trade fair for our Azure "
     "services – co-op?", [("eligible", "dg.trade-shows-events")]),
    # session 33 (a kind from the readable dialogue probes; rows written here, the first failing before, the second a
    # guard): laughing at a "no" acknowledges too; a regret before a new question is no item either
    ("a laugh acknowledges", "Haha, ok fair. And Google Ads for our Azure backup offer?",
     [("eligible", "dg.digital-advertising")]),
    ("… and a regret", "Na ja, schade. Dann eben ein Kundenseminar zu Microsoft Teams – geht das über Co-op?",
     [("eligible", "md.customer-seminars")]),
    # a question that names nothing points back to the settled statement; its "approved" asks no approval question
    ("the co-funding a settled statement names", "Our MDF request for the Azure roadshow was approved, but it covers "
     "only 60%. Can co-op pay the rest?", [("not_eligible", "excl.mdf-surestep-cofunding")]),
    ("the booth a settled statement names", "Our booth at the DMEA was approved. Can we pay it now?",
     [("eligible", "dg.trade-shows-events")]),
    # session 9: an aside ("übrigens", "by the way") is context too; before, each got a second, "unclear" finding
    ("an aside in German", "Wir planen einen Messestand auf der it-sa für unsere Azure-Security-Lösungen. Übrigens hat "
     "unser Azubi seine IHK-Prüfung bestanden. Geht das über Co-op?", [("eligible", "dg.trade-shows-events")]),
    ("an aside in English", "We're planning a Google Ads campaign for our Teams Phone offer. By the way, the SMS "
     "gateway is down today. Can co-op pay for it?", [("eligible", "dg.digital-advertising")]),
    # session 13: the message an activity is read around is the partner's text, without markup (a pasted script and an
    # image tag read as „not marketing" once the everyday corpus grew; a browser test caught it)
    ("markup is not the message", '<div><b>Hallo,</b></div><script>var seen = 1;</script> <img src=x onerror="seen=2"> '
     "[hier](http://example.invalid/) unser Messestand auf der it-sa – Co-op?", [("eligible", "dg.trade-shows-events")]),
    # session 19 (a kind from a readable realworld probe; rows written here): a pivot ("Now:", „Stattdessen“) makes
    # what the message said before it context, though a statement there names Co-op or an exclusion
    ("a statement before 'Now:'", "Our LinkedIn ads for Azure are running fine via co-op. Now: can co-op pay for a "
     "booth at a regional IT fair?", [("eligible", "dg.trade-shows-events")]),
    ("a dropped idea before „Stattdessen“", "Unsere Vertriebler wollten eine Prämienreise für die besten Verkäufer, die "
     "Geschäftsführung war dagegen. Stattdessen planen wir einen Copilot-Workshop für 20 Kunden. Co-op?",
     [("eligible", "md.customer-seminars")]),
    # session 20 (a kind from a readable realworld probe; rows written here): the question named as such, what it is
    # about („Uns geht es aber nur um …“) and a new period ("This year:") are pivots too
    ("a statement before 'This year:'", "In 2025 we sponsored Microsoft Ignite as a featured partner from co-op. This "
     "year: AZ-104 exams for our engineers – co-op?", [("eligible", "ps.certifications-exams")]),
    ("a reported claim before „Uns geht es um“", "Unsere Agentur meint, Prämienreisen für Verkäufer seien förderfähig. "
     "Uns geht es aber nur um AZ-104-Prüfungen für unsere Techniker – Co-op?", [("eligible", "ps.certifications-exams")]),
    # session 20 (a kind from a readable realworld probe; row written here): the guidance quoted back and acknowledged
    # is settled, though it names Co-op
    ("the guidance quoted back", "Laut Leitfaden gehen Prämienreisen für die besten Verkäufer nicht über Co-op – "
     "verstanden. Können wir AZ-900-Prüfungen für unsere Techniker abrechnen?", [("eligible", "ps.certifications-exams")]),
    # session 21 (a kind from a readable realworld probe; rows written here): what the partner says it will not claim
    ("what is not claimed", "We paid the Azure workshop for prospects on our own dime and we're not claiming it. Can "
     "co-op pay for Bing ads on Dynamics 365?", [("eligible", "dg.digital-advertising")]),
    ("what runs without Co-op", "Den Messestand auf der it-sa machen wir ohne Co-op. Im Mai schalten wir Google Ads zu "
     "Azure. Geht das über Co-op?", [("eligible", "dg.digital-advertising")]),
    # session 19 (a kind from readable negative probes; rows written here): beside a question about something outside
    # the guidance, a statement that adds an item ("Außerdem …", "Also …") is asked too; one that does not stays context
    ("an added item beside a question about a staff party", "Können wir die Weihnachtsfeier für unser Team über Co-op "
     "bezahlen? Außerdem wollen wir eine Printanzeige zu unseren Azure-Backup-Paketen in der Regionalzeitung schalten.",
     [("unclear", None), ("eligible", "dg.print-ads")]),
    ("a statement beside a question about rent", "Can co-op pay for our office rent? Our LinkedIn ads for Azure run "
     "through an agency.", [("unclear", None)]),
    # session 20 (kinds from a readable negative probe; rows written here): a question about something outside the
    # guidance that asks "too" („auch“) asks about the statement before it as well; a question that adds an item
    # ("Also my brother …") says nothing about what the activity before it promotes
    ("a statement before a question that asks „auch“", "Wir schalten Google Ads für unsere Azure-Backup-Pakete. Können "
     "wir die Stromrechnung fürs Büro auch über Co-op abrechnen?", [("eligible", "dg.digital-advertising"),
                                                                    ("unclear", None)]),
    ("an added question is no purpose of the activity before", "We're sending two consultants to Microsoft Ignite – "
     "co-op? Also my brother is going to a dentists' congress, could we pay his ticket the same way?",
     [("eligible", "ps.microsoft-conferences"), ("unclear", None)]),
    # session 22 (a kind from a readable realworld probe; rows written here): what the partner says it is not asking
    # about, or pays from another budget, is context
    ("not what is asked", "Unser Steuerberater meint, Firmenwagen seien förderfähig – darum geht's nicht. Wir wollen "
     "Google Ads zu Azure schalten. Co-op?", [("eligible", "dg.digital-advertising")]),
    ("paid from another pot", "Our newsletter is already funded from the marketing budget of our parent company "
     "(another pot). We'd like to know about a booth at a Microsoft-focused IT fair. Co-op?",
     [("eligible", "dg.trade-shows-events")]),
]


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in CONTEXT], ids=[r[0] for r in CONTEXT])
def test_asked_versus_context(assistant, question: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    assert [(f.verdict, f.rule_id) for f in assistant.answer(question).findings] == expected


def test_audience_as_a_german_compound_head(assistant) -> None:  # type: ignore[no-untyped-def]
    tokens = ("workshop", "fuer", "unsere", "vertriebsmitarbeiter")
    assert assistant.matcher.audiences_in(tokens) == {"internal"}
    assert assistant.matcher.audiences_in(("seminar", "fuer", "geschaeftskunden")) == {"customer"}
    assert assistant.matcher.audiences_in(("urkunden",)) == set()  # too short a compound to count


# The audience slot reads words, not the letters they begin with (session 12; written for these tests from how the
# matcher read them: "international" began with "intern", "Teams-Telefonie" held "unsere Teams")
AUDIENCE_WORDS = [
    ("international workshop on copilot", set()),
    ("workshop zu unserem internetauftritt", set()),
    ("personalised copilot workshop", set()),
    ("seminar fuer unsere internationalen interessenten", {"customer"}),
    ("workshop zu unserer teams telefonie", set()),
    ("workshop on our teams phone offering", set()),
    ("workshop for our teams", {"internal"}),
    ("schulung fuer unsere internen berater", {"internal"}),
    ("webinar fuer unsere beraterinnen", {"internal"}),
    ("mitarbeiterschulung zu azure", {"internal"}),
    ("kundenseminare zu copilot", {"customer"}),
    ("workshop fuer unsere vertriebsleiter", {"internal"}),
    ("testumgebung fuer ein ingenieurbuero", set()),  # no typo tolerance: "ingenieurb…" is not "ingenieure"
    # session 17 (a kind from a readable dialogue probe, rows written here): the staff of customers are customers
    ("bootcamp for our customers s finance staff", {"customer"}),
    ("workshop for the employees of our customers", {"customer"}),
    ("bootcamp fuer die vertriebsmitarbeiter unserer kunden", {"customer"}),
    ("schulung fuer unsere techniker beim kunden", {"customer", "internal"}),
    ("workshop for our customers and our sales team", {"customer", "internal"}),
    ("schulung fuer die mitarbeiter der stadtwerke", set()),  # another organisation's staff
    ("training for the staff of our company", {"internal"}),
]

# A parenthesis in the message around an activity gives no audience (session 17, from a new user's trial; written
# here): the company's headcount is not whom a workshop is for.
def test_a_headcount_in_parentheses_is_no_audience(assistant) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.answer("Hallo, wir sind Microsoft-Partner aus Leipzig (ca. 40 Mitarbeiter). Können wir einen "
                              "zweitägigen Azure-Workshop in unseren Räumen über Co-op machen?")
    assert [f.verdict for f in answer.findings] == ["needs_info"]


# Employee-purchase web shops are for customers (session 17, from a new user's trial; rows written here): a shop for
# the partner's own staff is not one; the rule's own word "employee" is no own-staff audience.
WEBSHOPS = [
    # session 26 (a kind from a new user's trial; rows written here): a web shop alone is no employee-purchase shop (a
    # farm shop's webshop and a shop for spare parts had been eligible); with the customer's staff who buy, it is
    ("a farm shop's webshop", "Wir wollen einen Webshop für unseren Hofladen einrichten. Co-op?", [("unclear", None)]),
    ("a shop where customers order spare parts", "Can co-op pay for a webshop where our customers can order printer "
     "spare parts?", [("unclear", None)]),
    ("a shop for a customer's staff", "Webshop für die Mitarbeiter eines Kunden, damit sie Surface-Geräte günstiger "
     "bekommen – Co-op?", [("eligible", "md.employee-purchase-webshops")]),
    ("a shop for our own employees", "Can co-op fund a web shop where our employees buy discounted Surface laptops for "
     "home?", [("unclear", None)]),
    ("ein Shop für unsere Leute", "Ein Mitarbeiter-Webshop, über den unsere Leute privat Surface-Geräte günstiger kaufen "
     "– Co-op?", [("unclear", None)]),
    ("an employee store for the companies we serve", "An employee store where workers of the companies we serve buy "
     "Surface devices privately – co-op?", [("eligible", "md.employee-purchase-webshops")]),
]


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in WEBSHOPS], ids=[r[0] for r in WEBSHOPS])
def test_employee_purchase_webshops_are_for_customers(assistant, question: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    assert [(f.verdict, f.rule_id) for f in assistant.answer(question).findings] == expected


# Session 27 (a kind from two readable probes; rows written here): a profession partners also sell to is the audience
# an activity addresses right after "für"/"for" ("Anzeigen für Steuerberater"), and nobody's staff („Steuerberater“ is no
# „Berater“ of ours); the partner's own tax advisor or lawyer stays a bill the guidance does not cover
SECTORS = [
    ("LinkedIn ads for tax advisors", "Wir möchten LinkedIn-Anzeigen für Steuerberater schalten, die unser Microsoft-"
     "365-Paket bewerben. Co-op?", [("eligible", "dg.digital-advertising")]),
    ("an e-mail campaign for lawyers", "Can co-op pay for an e-mail campaign for lawyers about our Copilot "
     "offering?", [("eligible", "dg.direct-email-sms")]),
    ("our tax advisor's invoice", "Können wir die Rechnung unseres Steuerberaters über Co-op abrechnen?",
     [("unclear", None)]),
    ("the lawyer's fees for a contract", "Can we pay our lawyer for reviewing the distributor contract with co-op?",
     [("unclear", None)]),
]


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in SECTORS], ids=[r[0] for r in SECTORS])
def test_a_profession_after_for_is_the_audience(assistant, question: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    assert [(f.verdict, f.rule_id) for f in assistant.answer(question).findings] == expected


# Session 27 (a kind from a readable dialogue probe; rows written here): a Microsoft exam named by its code alone is an
# exam; "MS 365" stays Microsoft 365
EXAM_CODES = [
    ("an exam by its code", "Can co-op cover the MB-920 for our presales consultant?",
     [("eligible", "ps.certifications-exams")]),
    ("… in German", "Zahlt Co-op die PL-600 für unseren Architekten?", [("eligible", "ps.certifications-exams")]),
    ("MS 365 is no exam", "Können wir Google Ads für MS 365 über Co-op schalten?", [("eligible", "dg.digital-advertising")]),
]


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in EXAM_CODES], ids=[r[0] for r in EXAM_CODES])
def test_an_exam_code_names_an_exam(assistant, question: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    assert [(f.verdict, f.rule_id) for f in assistant.answer(question).findings] == expected


def test_an_activity_for_the_other_audience_says_why(assistant) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.answer("Können wir ein Event für unsere Mitarbeiter über Co-op bezahlen?")
    assert "Kunden und Interessenten" in answer.answer and "eigenen Mitarbeitenden" in answer.answer
    assert answer.findings[0].matched_terms == ["mitarbeiter"]
    answer = assistant.answer("Can co-op pay for the AZ-900 exam vouchers of our customers?")
    assert "your own sales and technical teams" in answer.answer and "customers" in answer.findings[0].matched_terms


@pytest.mark.parametrize(("text", "expected"), AUDIENCE_WORDS, ids=[t for t, _ in AUDIENCE_WORDS])
def test_the_audience_is_read_from_whole_words(assistant, text: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert assistant.matcher.audiences_in(tuple(text.split())) == expected


@pytest.mark.parametrize("question", ["Can we fund an international workshop on Copilot?",
                                      "Können wir einen Workshop zu unserer Teams-Telefonie bezahlen?"])
def test_a_workshop_whose_words_only_look_like_an_audience_asks_for_it(assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    assert [f.verdict for f in assistant.answer(question).findings] == ["needs_info"]


# A rule's name as the partner's proposed label: the described activity decides, or confirms the label.
LABELS = [
    # session 31 (a kind from a readable plain probe; row written here): "we're calling it …" gives a name, as "we call it"
    # does: the name decides nothing (the trip it names was an eligible incentive; the trip itself is read without it)
    ("a name given with 'calling it'", "We're calling it our sales incentive: the three best account managers get four "
     "days in Rome, everything paid. Can that go on co-op?", [("unclear", None)]),
    # session 28 (a kind from a new user's trial; rows written here): a label asked without an article at the question's
    # end („ist das Telemarketing?“, "is this social media?") is the partner's label for what is described — a phone
    # bill is not telemarketing because the partner asks so; a label asking whether Co-op pays is no label
    ("a bare label on a cost not covered", "Mobilfunkrechnung unserer Vertriebler, 1.240 EUR im Quartal – ist das "
     "Telemarketing?", [("unclear", None)]),
    ("a bare label on a cost no rule decides", "Our receptionist's overtime during the open day - is this event "
     "marketing?", [("unclear", None)]),
    ("a bare label the description confirms", "Wir veröffentlichen jede Woche LinkedIn-Beiträge zu Microsoft Teams für "
     "unsere Kunden. Ist das Social Media?", [("eligible", "dg.social-media")]),
    ("asking whether it is eligible is no label", "We'd like to run a webinar on Copilot for our customers. Is that "
     "webinar eligible?", [("eligible", "md.customer-seminars")]),
    # session 27 (a kind from the readable probes; rows written here): a label the partner argues with, in a message that
    # ties nothing to Microsoft, does not confirm the activity the same rule reads in it; with an offering named it does
    ("an argued label, nothing Microsoft", "Our office manager writes best practices for onboarding new hires. Developing "
     "best practices is eligible, right?", [("unclear", None)]),
    ("… on the list", "A consultant develops best practices for our warehouse safety. Best practices are on the co-op list, "
     "so that works?", [("unclear", None)]),
    ("an argued label for a Microsoft activity", "Ein Berater erarbeitet für unsere Kunden Best Practices zu Microsoft "
     "Intune. Best Practices sind ja förderfähig – passt das?", [("eligible", "dg.best-practices")]),
    # session 26 (a kind from a readable probe; rows written here): the name the partner gives is no activity, alone
    # or read with the description (both had been eligible as the incentives the name says)
    ("a name given alone", "Intern nennen wir das Vertriebsbonus: drei Tage Wien für die besten Verkäufer. Co-op?",
     [("unclear", None)]),
    ("a name given, read with the description", "We call it our reward scheme: a week in Mallorca for the best "
     "sellers. OK for co-op?", [("unclear", None)]),
    ("label confirmed by the described activity", "Wir machen ein Webinar zu Copilot für unsere Kunden. Das sind ja "
     "Kundenseminare – geht das?", [("eligible", "md.customer-seminars")]),
    ("label in the same piece", "Can we claim the AZ-900 exam as a certification?", [("eligible", "ps.certifications-exams")]),
    # session 23 (a kind from a readable negative probe; row written here): "X ist eine förderfähige Maßnahme" is a label
    ("a label said to be an eligible activity", "Our gardener will reseed the lawn behind the office in April. Product "
     "seeding is an eligible activity, so can the reseeding go on co-op?", [("unclear", None)]),
    ("… „eine förderfähige Aktivität“", "Wir lassen den Rasen am Firmensitz nachsäen. Seeding ist doch eine "
     "förderfähige Aktivität, also können wir das Nachsäen abrechnen?", [("unclear", None)]),
    ("label for an office move", "We are moving to a new office building in May, movers and electricians included. "
     "Migration services are on your list, so can we claim it?", [("unclear", None)]),
    ("label for a garden", "Wir lassen vor dem Büro Blumen ansäen. Fällt das unter Product Seeding?", [("unclear", None)]),
    # session 25 (kinds from a readable negative probe; rows written here): the reason given says what Co-op pays for
    # ("since co-op covers X, …"), and „X gibt's bei euch ja auch“ names the guidance's X
    ("a reason clause says what co-op covers", "Our flight school charges a pilot fee. Since co-op supports pilots "
     "(proof of concept), can the flight school fee go on co-op?", [("unclear", None)]),
    ("„gibt's bei euch ja auch“", "Unser Fußballverein feiert die Meisterschaft. Können wir die Feier über Co-op "
     "abrechnen? On-Site-Champions gibt's bei euch ja auch.", [("unclear", None)]),
    # session 24 (a kind from a new user's trial; row written here): the own website's hosting is a running cost
    ("label for web hosting", "The yearly bill for our website hosting arrived. Can we claim the website hosting as "
     "website optimisation?", [("unclear", None)]),
    ("a label alone is the question", "Social-Media-Marketing ist doch förderfähig, oder?", [("eligible", "dg.social-media")]),
    # session 10: what is described, read by the recogniser, confirms the label beside another activity
    ("a described device confirms its label", "Wir möchten 5 Surface-Laptops als Demo-Geräte für unseren Vertrieb "
     "kaufen und einen Newsletter zu Windows 11 an Bestandskunden schicken. Geht beides über Co-op?",
     [("eligible", "ps.product-seeding-demo"), ("eligible", "dg.direct-email-sms")]),
    # session 15 (kinds from a readable probe set): a label after a hedge, an equals sign, or "stehen ja in der
    # Co-op-Liste" is proposed too; the rows are written here, not taken from an eval set
    # (session 17: one hand-off — the label is the partner's reason for what is described, not a second activity)
    ("a label after 'quasi'", "Für die Buchhaltung kaufen wir eine neue Kaffeemaschine, quasi ein Demo-Gerät für "
     "Besucher. Geht das über Co-op?", [("unclear", None)]),
    ("a label after '='", "Our reception screen shows the canteen menu and staff birthdays. That's digital signage = "
     "digital advertising, right? Co-op?", [("unclear", None)]),
    ("a label 'in der Co-op-Liste'", "Wir zahlen unserem Hausmeister einen Bonus fürs Schneeräumen. SPIFF-Programme "
     "stehen ja in der Co-op-Liste – passt das?", [("unclear", None)]),
    # session 17 (kinds from a readable negative probe; rows written here): a classification asked to be confirmed,
    # "in the guidance"; a label said to be listed beside an unclear cost is no second finding;
    # what a settled statement describes is something else described
    ("a label in a tag question", "We print our payslips and mail them to staff every month. That's direct mail, "
     "right? Co-op?", [("unclear", None)]),
    ("a label 'in the Co-op guidance'", "Our canteen has a lunch offer for staff every Friday. Special offers are in "
     "the Co-op guidance, so can we fund it?", [("unclear", None)]),
    ("a listed label beside an unclear cost", "Unsere Hausverwaltung stellt die Treppenhausreinigung in Rechnung, "
     "120 € im Monat. Können wir das mit Co-op zahlen? Best Practices sind doch gelistet.", [("unclear", None)]),
    ("a label after a settled statement", "Last month we hired a cleaner for the office windows. Best practices are "
     "on your list, so can co-op pay?", [("unclear", None)]),
    ("a quoted guidance name beside the same activity", "Wir möchten für unsere eigenen Vertriebler interne Schulungen "
     "und zwei „Floor Days“ zu Copilot machen. Co-op?", [("eligible", "ps.internal-training")]),
    # session 19 (a kind from a readable negative probe; row written here): the list named with a word between
    ("a label 'on the approved list'", "The car park lines need repainting, about 900 euros. Best practices are on "
     "the approved list – can co-op pay?", [("unclear", None)]),
    # session 20 (a kind from a readable negative probe; row written here): a guidance name in single quotes
    ("a label in single quotes", "We print 400 payroll letters to staff each month. Is that 'direct mail' in the "
     "co-op sense?", [("unclear", None)]),
    # session 24 (a kind from a readable negative probe; rows written here): the guidance quoted as the reason for
    # another cost — where it says so („laut Liste“, „bei Co-op“), "covered"/„drin“, "… after all", a rule named by a
    # word its audience decides ("Webinars"), a three-letter name ("SEO")
    ("a label 'laut Liste erlaubt'", "Direct Mail ist laut Liste erlaubt. Können wir dann auch das Porto für unsere "
     "Lohnabrechnungen über Co-op abrechnen?", [("unclear", None)]),
    ("a label 'covered by co-op'", "Our break room needs a new fridge. Demo devices are covered by co-op, aren't they? "
     "So can we claim the fridge?", [("unclear", None)]),
    ("a label given as the reason", "Can co-op pay the yearly fee for the supermarket's loyalty programme we joined "
     "for the office coffee? It's a partner program after all.", [("unclear", None)]),
    ("a label its audience decides", "Our works council wants a yoga course for all employees. Seminars are on the "
     "co-op list, so can we pay the yoga teacher from it?", [("unclear", None)]),
    ("a label 'ja bei Co-op erlaubt' beside a cost", "Unsere Buchhaltung bekommt neue Headsets, Telemarketing ist ja "
     "bei Co-op erlaubt. Geht das?", [("unclear", None)]),
    ("an acronym label beside an unclear cost", "Und die Rechnung unseres Mobilfunkanbieters für die Diensthandys, SMS "
     "ist ja bei Co-op erlaubt?", [("unclear", None)]),
    # session 24 (a kind from a readable realworld probe; rows written here): "as" with the partner's role names no label
    ("the role the partner takes", "We'd like to be a featured partner sponsor at Microsoft Build. Co-op?",
     [("eligible", "allow.featured-partner-sponsorship")]),
    ("… „als Featured Partner“", "Wir möchten die Microsoft AI Tour als Featured Partner sponsern. Geht das über Co-op?",
     [("eligible", "allow.featured-partner-sponsorship")]),
    ("an acronym label alone is the question", "SMS-Kampagnen zu Microsoft 365 sind doch bei Co-op erlaubt, oder?",
     [("eligible", "dg.direct-email-sms")]),
]


# A web page after a preposition of place is where another activity runs, not website work (session 15); an audience
# word inside a product's name is the product ("Microsoft Teams"), not the staff (from a new user's trial).
PLACES = [
    ("the product Teams is no team", "Can we pay for a Microsoft Teams training with Co-op?", [("needs_info", None)]),
    ("the product Teams and the own team", "Can we pay for a Microsoft Teams training for our own sales team?",
     [("eligible", "ps.internal-training")]),
    ("a landing page linked to", "Wir schalten Google-Anzeigen für Azure und verlinken auf unsere Landingpage. Co-op?",
     [("eligible", "dg.digital-advertising")]),
    ("a website relaunch is the activity", "Können wir den Relaunch unserer Website über Co-op bezahlen?",
     [("eligible", "dg.website-seo")]),
    ("SEO on the homepage is the activity", "Can co-op pay for SEO on our homepage?", [("eligible", "dg.website-seo")]),
    # session 16, from a readable probe: the recogniser read the room as a Microsoft conference
    ("a phrase of place names no activity", "A training day on writing good Copilot prompts, maybe 20 people, in a "
     "hotel conference room. Co-op eligible?", [("needs_info", None)]),
    # session 24 (a kind from a new user's trial; rows written here): an activity word before a group noun names the
    # group that uses a thing, not the activity
    ("a team named after its activity", "Der Laptop unserer Telemarketing-Leiterin ist defekt – zahlt Co-op den "
     "Ersatz?", [("unclear", None)]),
    ("… in English", "Can co-op pay for the laptops of our telemarketing team?", [("unclear", None)]),
    ("the team doing the activity still does it", "Our telemarketing team will phone 300 prospects about Dynamics 365 "
     "next month. Co-op?", [("eligible", "md.telemarketing")]),
]


# A migration after a preposition of topic is what another activity is about, when that activity is decided; alone it
# is the activity (from a new user's trial, session 15: telemarketing to book migration appointments).
TOPICS = [
    ("calls booking migration appointments", "We want to hire a call center to book appointments for Azure migrations "
     "with our SMB customers. Co-op?", [("eligible", "md.telemarketing")]),
    ("a webinar about a migration", "Können wir ein Kundenwebinar zur Azure-Migration mit Co-op bezahlen?",
     [("eligible", "md.customer-seminars")]),
    ("a migration asked alone", "Können wir Co-op für Migrationen nutzen?", [("eligible", "md.migration-services")]),
    # session 31 (a kind from a new user's trial; rows written here): an activity right before a format that waits for
    # its audience (a course, a training, a workshop) is what it teaches: the format asks for its audience, and with
    # customers named it is a customer seminar (the last row a guard, passing before too)
    ("an activity taught in a course", "Could co-op fund a Facebook ads course for a few people here?",
     [("needs_info", None)]),
    ("an activity taught in a course, German compound", "Wir würden gern einen Social-Media-Kurs für ein paar Leute "
     "buchen – geht das über Co-op?", [("needs_info", None)]),
    ("an activity taught in a workshop for customers", "Zahlt Co-op einen Newsletter-Workshop für unsere Kunden?",
     [("eligible", "md.customer-seminars")]),
    # session 31 (a kind from a readable dialogue probe; rows written here): the everyday words for a migration with its
    # target name a topic too; asked alone they are the migration (the last row a guard, passing before too)
    ("an everyday migration word as a topic", "Can we run Bing ads about moving to Microsoft 365 for small firms?",
     [("eligible", "dg.digital-advertising")]),
    ("an everyday migration word as a topic, calls", "Wir wollen Bestandskunden anrufen lassen, Thema: Telefonaktion zur "
     "Umstellung auf Azure. Co-op?", [("eligible", "md.telemarketing")]),
    ("an everyday migration word asked alone", "Zahlt Co-op die Umstellung eines Kunden auf Microsoft 365?",
     [("eligible", "md.migration-services")]),
    ("a separable verb", "Nächsten Monat ziehen wir die Server eines Kunden nach Azure um – zahlt das Co-op?",
     [("eligible", "md.migration-services")]),
    ("a customer's migration", "Can co-op pay for migrating a customer's mailboxes to Exchange Online?",
     [("eligible", "md.migration-services")]),
    # session 32 (a kind from the readable probes; rows written here): a migration in a frame — a time frame, what a
    # message says, the customer's own switch — is not the service paid for: the activity is read without the frame
    # (the last two rows guards, passing before too)
    ("a migration as a time frame", "After the migration to Microsoft 365 we'd like one of our consultants to sit with "
     "the customer's staff for two weeks as their go-to person. Co-op?", [("eligible", "md.onsite-champions")]),
    ("a migration as what a message says", "Wir verschicken eine Postkarte an Bestandskunden, dass wir bei der "
     "Umstellung auf Azure helfen. Co-op?", [("eligible", "dg.direct-email-sms")]),
    ("a migration service for customers who switch", "We want to help customers who migrate to Azure with free "
     "migration services. Co-op?", [("eligible", "md.migration-services")]),
    ("a migration promoted in an ad", "Im Kundenmagazin der Handwerkskammer möchten wir eine Anzeige schalten, in der "
     "wir unseren Umzug von Kundenservern nach Azure bewerben. Co-op?", [("eligible", "dg.print-ads")]),
    # session 22, from a readable negative probe (row written here): "als Co-op-Ausgabe einreichen" asks whether Co-op
    # pays for what was described, not how to claim — a message that asks never gets an empty reply
    # session 22 (the developer's own trial): a fixed expression made of an activity word names no activity
    ("of course is no course", "We want to run Google Ads about our Azure migration offer, of course with screenshots "
     "as proof. Co-op?", [("eligible", "dg.digital-advertising")]),
    ("submitted as a co-op expense", "Wir haben privat ein Ferienhaus an der Ostsee gemietet (1.900 €). Kann ich das als "
     "Co-op-Ausgabe einreichen?", [("unclear", None)]),
    # session 23 (a kind from a readable realworld probe; row written here): „Bitte um Prüfung" asks for a review, it
    # names no exam — and it asks about the items that follow
    ("a request for review is no exam", "Bitte um Prüfung:\n1) Google Ads zu Microsoft 365 im Mai\n2) neue Stühle fürs "
     "Besprechungszimmer", [("eligible", "dg.digital-advertising"), ("unclear", None)]),
    # session 23 (a kind from a readable dialogue probe; rows written here): a negation before the clause's final verb
    # denies the clause
    ("a clause a negation at its end denies", "Eine Roadshow wollen wir dieses Jahr nicht machen, aber eine "
     "Google-Ads-Kampagne zu Azure – zahlt das Co-op?", [("eligible", "dg.digital-advertising")]),
    ("… and what is no longer done", "Telemarketing machen wir nicht mehr, aber kann Co-op ein Mailing an Bestandskunden "
     "zu Copilot bezahlen?", [("eligible", "dg.direct-email-sms")]),
    ("a trade fair not yet booked is planned", "Den Stand auf der it-sa haben wir noch nicht gebucht. Zahlt das Co-op?",
     [("eligible", "dg.trade-shows-events")]),
]


# Session 28 (a kind from a readable dialogue probe; rows written here): a question about the process that names its
# activity but no process word ("document … for the claim") is read as about the process when the recogniser reads it
# so: no finding (not the activity again, not "unclear"), and the reply quotes the guidance on how Co-op works; the
# German claim as a thing („für die Abrechnung“) is no question whether Co-op pays
PROCESS_NAMING_ITS_ACTIVITY = [
    ("documented for the claim", "How should we document the webinar for the claim?"),
    ("für die Abrechnung dokumentieren", "Wie sollen wir das Kundenseminar für die Abrechnung dokumentieren?"),
    # session 33 (a kind from a new user's trial; row written here, failing before): „der Claim“ is the claim as a thing
    ("der Claim", "Welche Nachweise brauchen wir für unsere SMS-Kampagne, damit der Claim durchgeht?"),
]


@pytest.mark.parametrize("question", [r[1] for r in PROCESS_NAMING_ITS_ACTIVITY],
                         ids=[r[0] for r in PROCESS_NAMING_ITS_ACTIVITY])
def test_a_process_question_naming_its_activity_gets_the_process_answer(assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    from assistant.engine import sentences

    answer = assistant.answer(question)
    assert answer.findings == []
    process_sections = {sid for t in assistant.rules.topics if t.answerable for sid in t.sections}
    quoted = [sid for sid in process_sections
              if any(s in answer.answer for s in sentences(assistant.knowledge.section(sid).body))]
    assert quoted, answer.answer


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in PLACES + TOPICS], ids=[r[0] for r in PLACES + TOPICS])
def test_a_web_page_as_a_place_a_migration_as_a_topic(assistant, question: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    assert [(f.verdict, f.rule_id) for f in assistant.answer(question).findings] == expected


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in LABELS], ids=[r[0] for r in LABELS])
def test_proposed_labels(assistant, question: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.answer(question)
    assert [(f.verdict, f.rule_id) for f in answer.findings] == expected


def test_a_label_the_message_leans_away_from_takes_its_described_activity_along(assistant, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Session 21: a proposed label nothing confirms because the message leans towards another purpose (the purpose
    reader's "off" at least LABEL_OFF_MAX, set here; the slot itself needs more) is the partner's argument for the
    activity described by the same rule: one "unclear" with the hand-off, not that activity "eligible" beside it."""
    question = ("Können wir einen Instagram-Kanal zu Microsoft 365 über Co-op betreuen lassen? Social-Media-Marketing ist "
                "ja förderfähig.")
    assert [(f.verdict, f.rule_id) for f in assistant.checker.check(question).findings] == [("eligible", "dg.social-media")]
    monkeypatch.setattr(assistant.matcher, "p_off", lambda text: 0.6)
    assert [(f.verdict, f.rule_id) for f in assistant.checker.check(question).findings] == [("unclear", None)]


# What no rule decides in one message is one hand-off (session 17, a kind from a readable negative probe; rows
# written here): a cost split into pieces is one "unclear" finding; list items and what the guidance names as not
# covered stay apart, each an activity of its own.
ONE_HANDOFF = [
    ("a cost in pieces", "Der Kurs für den Gabelstaplerschein unseres Lageristen kostet 450 €, Prüfung inklusive. Wir "
     "würden das gern über Co-op laufen lassen – machbar?", [("unclear", None)]),
    ("two items not covered", "Können wir die Büromiete und die Gehälter unserer Buchhaltung mit Co-op zahlen?",
     [("unclear", None), ("unclear", None)]),
    # session 30 (a kind from a readable negative probe; rows written here): two questions about two things no rule
    # decides are two hand-offs, and a question asks back only about what the message said before it
    ("two questions, two things", "Geht unser Grillabend mit dem Team über Co-op? Und die neue Kaffeemaschine fürs "
     "Büro?",
     [("unclear", None), ("unclear", None)]),
    # … a guard, passing before too (a question could ask back about a later sentence then)
    ("a letter's formula asks nothing", "Hallo Herr Brandt, wie besprochen: Wir möchten Google Ads für unsere "
     "Azure-Angebote schalten. Geht das über Co-op?", [("eligible", "dg.digital-advertising")]),
]


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in ONE_HANDOFF], ids=[r[0] for r in ONE_HANDOFF])
def test_one_handoff_for_what_no_rule_decides(assistant, question: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    assert [(f.verdict, f.rule_id) for f in assistant.answer(question).findings] == expected


# List items and invoice lines are asked, also written in one line ("(a) … (b) …"); what no rule decides is "unclear".
LISTS = [
    # session 27 (a kind from a new user's trial; rows written here): a statement that adds an item after a question that
    # names its own activity is asked too
    ("an item added after the question", "Can co-op pay for a LinkedIn ad campaign for Dynamics 365? Also the MB-800 exam "
     "for our consultant.", [("eligible", "dg.digital-advertising"), ("eligible", "ps.certifications-exams")]),
    ("… in German", "Geht ein Newsletter zu Microsoft 365 an unsere Kunden über Co-op? Außerdem ein Messestand auf der "
     "it-sa.", [("eligible", "dg.direct-email-sms"), ("eligible", "dg.trade-shows-events")]),
    ("inline items", "Invoice lines: (a) LinkedIn sponsored posts for our Azure offer – 3,000 USD; (b) team offsite "
     # sponsored posts are a paid placement: digital advertising, as the rule data's examples have it (session 9)
     "dinner for our marketing staff – 1,100 USD. Which of these are eligible?", [("eligible", "dg.digital-advertising"),
                                                                                  ("unclear", None)]),
    ("an invoice line submitted to Co-op", "Rechnung 2024-118: Google Ads Kampagne für Teams Telefonie, 4.250 EUR "
     "netto – kann ich das bei Co-op einreichen?", [("eligible", "dg.digital-advertising")]),
    ("a one-word item", "Hallo,\n1) Kundenevent zu Copilot mit Abendessen\n2) Laptops\nGeht das über Co-op?",
     [("eligible", "dg.trade-shows-events"), ("unclear", None)]),
    # session 20 (a kind from a readable realworld probe; rows written here): an item naming no audience does not take
    # another item's ("gift baskets for customers" is not whom the floor day is for); before, the floor day was unclear
    ("an item's audience is its own", "(a) a print ad in a trade journal, (b) gift baskets for customers, (c) a floor "
     "day on Copilot. Which are co-op?", [("eligible", "dg.print-ads"), ("unclear", None),
                                          ("eligible", "ps.internal-training")]),
    ("an item's audience is its own, in German", "1) LinkedIn-Anzeigen zu Azure 2) Weihnachtsgeschenke für Kunden "
     "3) ein Floor Day zu Copilot – was davon geht über Co-op?", [("eligible", "dg.digital-advertising"),
                                                                 ("unclear", None), ("eligible", "ps.internal-training")]),
    # session 21 (a kind from a readable realworld probe; rows written here): an enumeration in one line is a list —
    # "1." ended a sentence and left the item unasked, invoice positions ran together; "2. Halbjahr" is no item
    # (session 27: the exam fees of AZ-900 candidates are Microsoft exam fees — the code now reads as an exam; they had
    # been "unclear", the none-veto reading "candidates" as hiring)
    ("numbered inline", "Our office manager lists: 1. exam fees for two AZ-900 candidates 2. the audit fee for our "
     "specialization 3. Bing ads for Dynamics — which can go on Co-op?", [("eligible", "ps.certifications-exams"),
                                                                         ("not_eligible", "excl.specialization-audit-fees"),
                                                                         ("eligible", "dg.digital-advertising")]),
    ("invoice positions inline", "pos 1 print ad in a regional paper on Teams Phone €800, pos 2 Bing ads for Azure "
     "€1,500, pos 3 staff xmas party €2,000 → co-op?", [("eligible", "dg.print-ads"),
                                                         ("eligible", "dg.digital-advertising"), ("unclear", None)]),
    # … and each item is an activity of its own for the exclusion and the purpose too: an excluded trip does not take a
    # SPIFF item along as its booking, another item's party is not the print ad's purpose (rows written here)
    ("an excluded item beside an allowed one", "Can co-op cover (a) a trip to Rome as a reward for our top sellers and "
     "(b) a SPIFF in Q3?", [("not_eligible", "excl.seller-award-trips"), ("eligible", "md.incentives-spiff")]),
    ("another item's purpose", "(a) a print ad in the regional paper about Teams Phone (b) a birthday party for our "
     "CEO's daughter – co-op?", [("eligible", "dg.print-ads"), ("unclear", None)]),
]


# An activity's details — what it costs, how long, how many, who delivers it — are slots of the activity decided next to
# them, not activities of their own (rule data `detail_words:`); an item of its own beside them still gets its finding.
# Written for these tests, not taken from an eval set; before session 10 each detail was an extra "unclear" finding.
DETAILS = [
    # session 31 (a kind from a new user's trial and a readable realworld probe; rows written here): what the activity
    # costs, in a sentence of its own, is its detail, though the cost's words read as running costs
    ("a cost in a sentence of its own", "Wir buchen einen Messestand auf der Hannover Messe für unsere Azure-Lösungen. "
     "Die Standmiete beträgt 4.500 €. Geht das über Co-op?", [("eligible", "dg.trade-shows-events")]),
    ("a cost in a sentence of its own, the fee", "Hallo, wir sind im März mit einem Stand auf einer Regionalmesse und "
     "zeigen Microsoft 365. Standgebühr 2.100 EUR. Förderfähig?", [("eligible", "dg.trade-shows-events")]),
    ("duration and supplier", "Copilot-Workshop für unsere Kunden, 2 Tage, externer Trainer – geht das über Co-op?",
     [("eligible", "md.customer-seminars")]),
    ("count and fee", "E-mail campaign on Azure Virtual Desktop for prospects, 3 sends, agency fee EUR 1,900 – co-op?",
     [("eligible", "dg.direct-email-sms")]),
    ("month, day and inflected supplier", "Kundenseminar zu Intune im Oktober, ganztags, mit externem Referenten – Co-op?",
     [("eligible", "md.customer-seminars")]),
    ("an item of its own stays", "LinkedIn ads for Dynamics 365, 6 weeks, agency fee EUR 900, and a new coffee machine "
     "for the office – co-op?", [("eligible", "dg.digital-advertising"), ("unclear", None)]),
    # what is left of a piece besides the words that ask whether Co-op pays names no activity ("fundable through")
    ("the ask's own words", "Customer bootcamp on Azure basics plus exam vouchers for our own engineers. Both fundable "
     "through co-op?", [("eligible", "md.customer-seminars"), ("eligible", "ps.certifications-exams")]),
    # … though a word of them names a format that waits for its audience ("trainer"); what is asked stays a finding of
    # its own (session 18, the kind from a readable plain-wording probe; before, the trainer was a second needs_info)
    ("a trainer among the details", "A Power BI workshop in May, about 25 attendees, an external trainer for a full day. "
     "Co-op?", [("needs_info", None)]),
    ("a training day asked", "Two questions: can we pay for Google Ads with Co-op, and can we pay for an Azure training "
     "day?", [("eligible", "dg.digital-advertising"), ("needs_info", None)]),
    # session 20 (a kind from a readable realworld probe; row written here): a word of the activity's rule that the
    # recogniser reads as "not marketing", beside that activity in its sentence, is its detail ("webinar platform fee")
    ("a fee named with the activity's word", "Customer webinar series on Azure for SMBs in March, webinar platform fee "
     "600 EUR. Co-op?", [("eligible", "md.customer-seminars")]),
]


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in DETAILS], ids=[r[0] for r in DETAILS])
def test_details_belong_to_their_activity(assistant, question: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    assert [(f.verdict, f.rule_id) for f in assistant.answer(question).findings] == expected


# A short question that points back ("das", "that", "dafür") asks about the activity the message described, in words
# the question frame does not list; it is shown as not checked separately, not as a finding of its own. A question that
# names an item of its own stays a finding. Written for these tests (session 11), not taken from an eval set; before,
# "get it back" and "allowance" gave an extra "unclear" finding and the hand-off, and "reimbursable" left "able" of its
# word after the pay frame was blanked (`extract.without_pay_frame` blanks whole words now).
# session 25 (a kind from the readable probes; rows written here): a question asking about every item described
# ("both", "which of these") asks about each, and an item no rule decides gets the hand-off, not silence
EVERY_ITEM = [
    ("both", "We'd like Bing ads for our Azure migration offer, and the team wants a go-kart afternoon. Can co-op pay "
     "for both?", [("eligible", "dg.digital-advertising"), ("unclear", None)]),
    ("which of these", "Plan for spring: a newsletter about Defender to our customers, a booth at a regional IT fair, new "
     "curtains for the meeting room. Which of these can co-op cover?",
     [("eligible", "dg.direct-email-sms"), ("eligible", "dg.trade-shows-events"), ("unclear", None)]),
    # session 32 (a kind from a readable negative probe; row written here): a statement that someone wants Co-op to pay
    # for a thing asks about it, beside the question
    ("a statement wanting co-op to pay", "Wir planen einen Stand auf der it-sa zu Microsoft Defender – geht der über "
     "Co-op? Unser Geschäftsführer möchte außerdem seine Segelyacht-Charter mit abrechnen.",
     [("eligible", "dg.trade-shows-events"), ("unclear", None)]),
    # session 32 (a kind from a readable plain probe; row written here): what the partner has given up is no item
    ("an item given up", "We decided to stop doing trade shows. Our plan now: Bing ads on Dynamics 365 and a LinkedIn "
     "page run by an agency. Both on co-op?", [("eligible", "dg.digital-advertising"), ("eligible", "dg.social-media")]),
]


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in EVERY_ITEM], ids=[r[0] for r in EVERY_ITEM])
def test_a_question_about_every_item_asks_each(assistant, question: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.answer(question)
    assert [(f.verdict, f.rule_id) for f in answer.findings] == expected
    assert (answer.handoff is not None) == any(verdict != "eligible" for verdict, _ in expected)


ASKS_BACK = [
    # the limit (ASKS_BACK_MAX_WORDS): three words besides the frame are still asked on their own
    ("three words: the limit", "Wir schalten Google-Anzeigen für unser Azure-Angebot. Lässt sich das über den Topf "
     "abwickeln?", [("eligible", "dg.digital-advertising"), ("unclear", None)], 0),
    ("reimbursable", "We run Google ads for our Azure backup offer. Is this reimbursable from the pot?",
     [("eligible", "dg.digital-advertising")], 1),
    ("get it back", "Wir schalten Google-Anzeigen für unser Azure-Angebot. Kriegen wir das zurück?",
     [("eligible", "dg.digital-advertising")], 1),
    ("allowance", "Newsletter to our customers about Windows 11. Would that be something for our marketing allowance?",
     [("eligible", "dg.direct-email-sms")], 1),
    ("an item of its own", "Wir schalten Google-Anzeigen für Azure. Geht das Catering für den Launch-Abend auch?",
     [("eligible", "dg.digital-advertising"), ("unclear", None)], 0),
    # session 13: a short question asks back without a pointing word too (it had an "unclear" finding of its own)
    ("no pointing word", "Wir schalten Google-Anzeigen für unser Azure-Angebot. Übernimmt Co-op die Agenturrechnung?",
     [("eligible", "dg.digital-advertising")], 1),
]


@pytest.mark.parametrize(("question", "expected", "unassessed"), [r[1:] for r in ASKS_BACK], ids=[r[0] for r in ASKS_BACK])
def test_a_short_question_points_back(assistant, question: str, expected: list[tuple[str, str | None]],  # type: ignore[no-untyped-def]
                                      unassessed: int) -> None:
    answer = assistant.answer(question)
    assert [(f.verdict, f.rule_id) for f in answer.findings] == expected
    assert len(answer.unassessed) == unassessed


# A short asking piece that names again, in other words, an activity another sentence decided is that activity (the
# recogniser ranks its rule first and does not read "not Co-op marketing"); an item of its own stays. Written for these
# tests (session 11), not taken from an eval set; before, the first gave an extra "unclear" finding for the postage.
NAMED_AGAIN = [
    ("postage of the mailing", "We're sending a postcard mailing about Windows 11 to 800 firms. Is printing and postage "
     "fundable?", [("eligible", "dg.direct-email-sms")]),
    ("a barbecue of its own", "We're sending a postcard mailing about Windows 11 to 800 firms. Can co-op also pay the "
     "catering for our summer barbecue?", [("eligible", "dg.direct-email-sms"), ("unclear", None)]),
    ("courier fees of their own", "We're sending a postcard mailing about Windows 11 to 800 firms. Could co-op cover the "
     "courier fees for the samples?", [("eligible", "dg.direct-email-sms"), ("unclear", None)]),
]


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in NAMED_AGAIN], ids=[r[0] for r in NAMED_AGAIN])
def test_a_short_ask_names_a_described_activity_again(assistant, question: str,  # type: ignore[no-untyped-def]
                                                      expected: list[tuple[str, str | None]]) -> None:
    assert [(f.verdict, f.rule_id) for f in assistant.answer(question).findings] == expected


# A multi-touch campaign is made of the digital channels beside it (rule data `parts`): named with it, they are its
# touchpoints; a list item is asked on its own, and an activity outside its parts stays. Written for these tests.
TOUCHPOINTS = [
    # session 26 (a kind from a readable plain probe; rows written here): channels called one package are one campaign;
    # one campaign per channel is not
    ("touchpoints called one package", "Our agency offers one integrated package for eight weeks: banner ads, a landing "
     "page and an email series, all about Azure for manufacturers. Co-op?", [("eligible", "dg.multitouch-campaigns")]),
    ("one campaign per channel stays two", "Two things: one LinkedIn ads campaign for Azure and one newsletter about "
     "Copilot. Co-op?", [("eligible", "dg.digital-advertising"), ("eligible", "dg.direct-email-sms")]),
    ("channels of one campaign", "Eine mehrstufige digitale Kampagne zu Dynamics 365: Anzeigen, Landingpage und "
     "E-Mail-Nurturing, alles als ein Paket – Co-op?", [("eligible", "dg.multitouch-campaigns")]),
    ("list items stay", "- LinkedIn-Anzeigen für Teams Phone\n- eine Multichannel-Kampagne zu Azure\nGeht beides über "
     "Co-op?", [("eligible", "dg.digital-advertising"), ("eligible", "dg.multitouch-campaigns")]),
    ("another activity stays", "Multi-touch campaign for Azure plus a print ad in a trade magazine – co-op?",
     [("eligible", "dg.multitouch-campaigns"), ("eligible", "dg.print-ads")]),
    # session 30 (a kind from the readable probes; rows written here): touchpoints given as a sequence or a journey are
    # one campaign, its calls and a step no rule decides included; two channels one after the other without such words
    # stay two, and calls in another sentence stay a call campaign (these two are guards, passing before too)
    ("a sequence of touchpoints", "Our agency's plan for Defender: prospects first get a mailing, then see display "
     "banners, then a sales rep phones them. Can co-op pay for it?", [("eligible", "dg.multitouch-campaigns")]),
    ("a journey with calls", "Für Azure Backup bauen wir eine Strecke: Newsletter, LinkedIn-Anzeige und Anrufe bei "
     "den Interessenten. Geht das über Co-op?", [("eligible", "dg.multitouch-campaigns")]),
    ("two channels one after the other stay two", "Wir machen eine E-Mail-Kampagne zu Azure und danach Google Ads. "
     "Co-op?", [("eligible", "dg.direct-email-sms"), ("eligible", "dg.digital-advertising")]),
    ("calls in another sentence stay", "We'd like one coordinated campaign for Copilot: emails, LinkedIn ads and a "
     "landing page. Separately, a call centre would phone 300 prospects. Co-op for both?",
     [("eligible", "dg.multitouch-campaigns"), ("eligible", "md.telemarketing")]),
]


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in TOUCHPOINTS], ids=[r[0] for r in TOUCHPOINTS])
def test_a_campaigns_touchpoints_are_part_of_it(assistant, question: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    assert [(f.verdict, f.rule_id) for f in assistant.answer(question).findings] == expected


# An exclusion wins over an allowed rule's term (issue #6): a weaker reading of an exclusion (>= 0.5) decides against
# it; a real SPIFF stays eligible. Written for these tests (session 10, after a new-user trial found the kind).
EXCLUSION_WINS = [
    ("a reward trip in words of a SPIFF", "Can co-op cover flights to Lisbon for our two top sales reps as a reward for "
     "beating their targets?", [("not_eligible", "excl.seller-award-trips")]),
    ("a cash SPIFF stays eligible", "Can co-op pay for a SPIFF: a cash reward for our sales reps per Copilot seat sold?",
     [("eligible", "md.incentives-spiff")]),
    # session 17 (a kind from a readable dialogue probe, row written here): "MDF and co-op" are two budgets of one
    # activity, not two activities — the co-funded roadshow is the exclusion's
    ("MDF and co-op combined for one activity", "Can we combine MDF and co-op for our Azure roadshow in March?",
     [("not_eligible", "excl.mdf-surestep-cofunding")]),
    # session 22 (the issue's kind; rows written here): a question that says what the excluded thing is proposes its
    # booking, also in another sentence and as a tag question ("…, oder?") — one not-eligible finding
    ("a trip called an incentive in the next sentence", "Our top sellers get a trip to Lisbon. It's an internal "
     "incentive, so co-op is fine?", [("not_eligible", "excl.seller-award-trips")]),
    ("a trip called an incentive in a tag question", "Unsere drei besten Vertriebler fliegen als Belohnung nach Rom. "
     "Das ist quasi eine interne Incentive-Maßnahme, also Co-op-fähig, oder?", [("not_eligible", "excl.seller-award-trips")]),
    # session 22 (a new user's trial; rows written here): a contest's prize said with everyday travel words is the
    # excluded trip; a heading that it spells out is the same activity (`checker._under_excluded`), a contest beside it
    # in another sentence stays a thing of its own
    ("a contest whose prize is a trip", "Verkaufswettbewerb im Q3: Die drei Gewinner fahren mit Begleitung nach "
     "Barcelona. Geht das über Co-op?", [("not_eligible", "excl.seller-award-trips")]),
    ("a contest and a trip in two sentences", "Im Q3 läuft ein Verkaufswettbewerb für Copilot-Lizenzen. Die drei "
     "Gewinner fahren außerdem mit Begleitung nach Barcelona. Geht das über Co-op?",
     [("eligible", "md.incentives-spiff"), ("not_eligible", "excl.seller-award-trips")]),
]


# What a negation denies is no audience, in the message around an activity too (session 16: "not our staff" in the
# message made a workshop for customers ask whom it is for). Written for the test.
def test_a_denied_audience_in_the_message_is_no_audience(assistant) -> None:  # type: ignore[no-untyped-def]
    findings = assistant.answer("Only customers, not our staff – can we pay for the workshop?").findings
    assert [(f.verdict, f.rule_id) for f in findings] == [("eligible", "md.customer-seminars")]


# An excluded activity the question points back to stays asked, beside a reason that names something else (session 16,
# the kind from the readable plain probe; this row was written for the test): it was dropped as context.
def test_an_excluded_activity_the_question_points_back_to_is_asked(assistant) -> None:  # type: ignore[no-untyped-def]
    findings = assistant.answer("We plan to fly our five best sellers to Barcelona next spring as a thank-you. Since "
                                "sales incentives are in the guidance, can co-op pay for that?").findings
    assert ("not_eligible", "excl.seller-award-trips") in [(f.verdict, f.rule_id) for f in findings]


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in EXCLUSION_WINS], ids=[r[0] for r in EXCLUSION_WINS])
def test_an_exclusion_wins_over_an_allowed_term(assistant, question: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    assert [(f.verdict, f.rule_id) for f in assistant.answer(question).findings] == expected


def test_detail_words_alone_are_details(lexical_checker) -> None:  # type: ignore[no-untyped-def]
    def details(text: str) -> bool:
        return bool(lexical_checker.details_only(lexical_checker.content_words(text)))

    assert details("agency fee EUR 1,900") and details("externer Referent") and details("im Oktober, ganztags")
    assert not details("Co-op?") and not details("coffee machine") and not details("agency plants")


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in LISTS], ids=[r[0] for r in LISTS])
def test_list_items_are_asked(assistant, question: str, expected: list[tuple[str, str | None]]) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.answer(question)
    assert [(f.verdict, f.rule_id) for f in answer.findings] == expected
    assert answer.unassessed == []


def test_an_unclear_activity_says_what_it_seems_to_serve(assistant) -> None:  # type: ignore[no-untyped-def]
    (finding,) = assistant.answer("Können wir eine Stellenanzeige für eine Marketing-Managerin über Co-op abrechnen?").findings
    assert finding.verdict == "unclear"
    assert "Recruiting" in finding.explanation and "stellenanzeige" in finding.matched_terms


# A new user's trial (session 20): a staff party read "the guidance decides neither way", as if it might be fundable;
# what the guidance does not cover now says what it is (rows written here)
@pytest.mark.parametrize(("question", "said"), [
    ("Können wir unsere Weihnachtsfeier mit DJ und Buffet über Co-op bezahlen?", "interne Angelegenheit"),
    ("Can co-op pay our office rent for March?", "running costs"),
    # session 23 (kinds from a new user's trial; rows written here): a fine, and the move of the partner's office, are
    # what they are, also beside an activity word („Migration", "telemarketing")
    ("A regulator fined us for cold calls to consumers. Can co-op pay the fine for the telemarketing?", "internal matters"),
    ("Wir ziehen im Mai um: Können wir die Umzugsfirma für die Migration ins neue Büro über Co-op bezahlen?",
     "Betriebskosten"),
])
def test_what_the_guidance_does_not_cover_says_what_it_is(assistant, question: str, said: str) -> None:  # type: ignore[no-untyped-def]
    (finding,) = assistant.answer(question).findings
    assert finding.verdict == "unclear" and said in finding.explanation


def test_every_item_not_covered_is_named(assistant) -> None:  # type: ignore[no-untyped-def]
    from assistant.render import explain
    from assistant.rules.matcher import Decision

    for item in assistant.rules.not_covered:
        for language, generic in (("de", "weder als"), ("en", "neither as")):
            text = explain("x", Decision("unclear", terms=(item.id,), reason="not-covered"), language, assistant.rules)
            assert generic not in text, (item.id, language)


def test_a_purpose_names_each_word_that_gave_it_away_once() -> None:
    """The reason of an activity read as serving another purpose names each cue once (session 33, a new user's trial:
    „erkannt an: employer branding, employer branding, employer brand“)."""
    from assistant.render import explain
    from assistant.rules.matcher import Decision

    decision = Decision("unclear", terms=("employer branding", "employer branding", "employer brand"),
                        reason="purpose", purpose="recruiting")
    text = explain("x", decision, "de")
    assert "erkannt an: employer branding, employer brand)" in text


# The learned purpose reader (matcher step 9 and proposed labels): a message whose subject is not the partner's
# Microsoft/IT business, with no word of the purpose vocabulary in it; and IT marketing aimed at non-IT industries,
# which stays eligible.
PURPOSE_READ = [
    # (session 27: asked without arguing with the guidance's list — a label argued in a message that names no Microsoft
    # offering is "unclear" without the reader too, `test_proposed_labels`)
    ("a bowling club's website", "Der Kegelclub unseres Chefs braucht eine neue Website mit SEO. Können wir das über "
     "Co-op abrechnen?", [("unclear", None)]),
    ("IT services shown at a craft fair", "Wir stellen auf einer Handwerksmesse unsere Cloud-Telefonie für "
     "Handwerksbetriebe aus. Standkosten über Co-op?", [("eligible", "dg.trade-shows-events")]),
    ("IT services shown to hospitals", "We sponsor a booth at a healthcare IT congress to show our managed security "
     "services to hospitals. Co-op?", [("eligible", "dg.trade-shows-events")]),
    ("Google Ads is a channel, not another vendor's offering", "Die Google-Ads-Kampagne aus dem März – kann ich die "
     "bei Co-op einreichen?", [("eligible", "dg.digital-advertising")]),
    # session 19, after 800 purpose lines by two fresh helpers (row written here): IT for a non-IT industry stays on
    ("IT services mailed to dental practices", "Direct mail to dental practices about our cloud backup service for their "
     "patient files – co-op?", [("eligible", "dg.direct-email-sms")]),
]


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in PURPOSE_READ], ids=[r[0] for r in PURPOSE_READ])
def test_purpose_read_from_the_message(assistant, monkeypatch, question: str,  # type: ignore[no-untyped-def]
                                       expected: list[tuple[str, str | None]]) -> None:
    answer = assistant.answer(question)
    assert [(f.verdict, f.rule_id) for f in answer.findings] == expected
    if expected[0][0] == "unclear":
        monkeypatch.setattr(assistant.matcher, "purpose_reader", None)  # without the reader the rule decides
        assert assistant.answer(question).findings[0].verdict == "eligible"


def test_a_described_activity_never_gets_an_empty_reply(assistant) -> None:  # type: ignore[no-untyped-def]
    """Asked about ("Co-op?" points back) and decided by nothing: one finding with the hand-off, not silence."""
    answer = assistant.answer("Die Lokalzeitung hat uns eine Viertelseite in der Samstagsausgabe angeboten, für unser "
                              "Microsoft-365-Angebot. Co-op?")
    got = [(f.verdict, f.rule_id) for f in answer.findings]
    assert (len(got) == 1 and got[0][0] != "eligible") or got == [("eligible", "dg.print-ads")]
    assert answer.findings and (answer.handoff is not None) == (answer.findings[0].verdict != "eligible")
    assert assistant.answer("Wie viel Co-op-Budget haben wir aktuell noch übrig?").findings == []
    # read whole, it names an item the guidance does not cover (a staff party: "sommerfest + mitarbeiter"), no piece
    # does: that reading is the one finding (session 11; an empty reply before)
    party = assistant.answer("Unser Sommerfest steht an. Alle Mitarbeiter mit Familie kommen. Co-op?")
    assert [(f.verdict, f.rule_id) for f in party.findings] == [("unclear", None)] and party.handoff is not None


# Session 9 (issue #6): everyday words do not make a process topic ("support", "help", "reach" in an activity's
# description), and service of existing customers that uses a marketing channel is no Co-op marketing (the purpose
# "customer-service"). Written for these tests, not taken from an eval set; before, the first was an empty reply
# (read as a question about contacting Partner Care), the third and fourth named the contact topic, and the last
# (a greeting line, session 9 too) was an empty reply without the hand-off, as was the next (its "reimbursable"
# read as a claims question).
SERVICE_AND_TOPICS = [
    ("a satisfaction survey by phone", "Hallo, wir wollen per Telefon unsere Bestandskunden fragen, wie zufrieden sie "
     "mit unserem Support sind. Die Anrufe würde eine Agentur machen. Zahlt Co-op das?", [("unclear", None)], []),
    ("appointment calls stay telemarketing", "Eine Agentur ruft für uns Mittelständler an, um Termine für unser "
     "Azure-Backup-Angebot zu vereinbaren – Co-op?", [("eligible", "md.telemarketing")], []),
    ("reaching an audience is no contact question", "We want to reach 2,000 IT leaders with a postal mailing about "
     "Azure. Co-op?", [("eligible", "dg.direct-email-sms")], []),
    ("erreichen likewise", "Wir wollen mit einer Postwurfsendung zu Microsoft 365 rund 3.000 Handwerker erreichen. Geht "
     "das über Co-op?", [("eligible", "dg.direct-email-sms")], []),
    ("reaching Partner Care is one", "Wie erreiche ich jemanden bei Partner Care?", [], ["contact"]),
    ("a greeting names Partner Care without asking for it", "Hello Partner Care,\n\nI'm flying to my cousin's "
     "wedding in Lisbon next month. Could the tickets go on our Co-op budget?\n\nThanks,\nTom", [("unclear", None)], []),
    ("a pay question's own words ask no claims question", "Our yearly fire-safety inspection of the office costs $900. "
     "Is that reimbursable through co-op?", [("unclear", None)], []),
    ("submitting it to Co-op likewise", "Kann ich die Rechnung für den Erste-Hilfe-Kurs unserer Lagerleute bei Co-op "
     "einreichen?", [("unclear", None)], []),
    ("a claims question stays one", "Bis wann müssen wir den Claim einreichen?", [], ["claims"]),
    ("in English too", "When do we have to submit our claim?", [], ["claims"]),
    # session 21 (a kind from a readable dialogue probe; row written here): how early to claim asks when, and the event
    # it names is what the claim is for, not an activity asked about
    ("how early to claim", "How early should we submit the claim after the trade show?", [], ["claims"]),
    # process words match exactly, as blockers and purposes do: a typo tolerance read "contract" as "contact"
    ("a contract is no contact question", "Hotel and flights for our account manager to renegotiate a customer's "
     "contract in Denver — co-op?", [("unclear", None)], []),
    ("a contact question stays one", "Who is our contact at Partner Care for co-op questions?", [], ["contact"]),
    # session 24 (a kind from readable probes; rows written here): the amount asked with the fund's other names is
    # outside the guidance
    ("the amount with the fund's name", "How much co-op money is still left for this half-year?", [],
     ["out-of-guidance"]),
    ("… „wie viel“ aus dem Topf", "Wie viel können wir dieses Jahr noch aus dem Co-op-Topf nehmen?", [],
     ["out-of-guidance"]),
    # session 21 (a kind from a readable negative probe; rows written here): a category in a label frame is the
    # partner's proposed label for what is described — before, the message got the category's passage and no finding
    ("a category proposed as the label", "Unser Betriebschor singt auf dem Weihnachtsmarkt, wir brauchen Noten und "
     "Schals für 400 €. Fällt das unter Demand Generation?", [("unclear", None)], []),
    ("a category said to hold it", "Mein Schwager fährt zu einem Kongress für Tierärzte nach Hannover (Hotel 600 €). "
     "Konferenzen sind ja Partner Skilling – können wir das übernehmen?", [("unclear", None)], []),
    ("what falls under a category is asked about it", "Was fällt unter Market Development?", [],
     ["category-market-development"]),
    # session 22 (a kind from a readable dialogue probe; row written here): the claim as a thing asks about claiming,
    # the activity it names is what the claim is for
    ("the claim as a thing", "Sollen wir den Claim für das Kundenmailing gleich nach dem Versand einreichen oder bis "
     "zum Quartalsende warten?", [], ["claims"]),
    # session 22 (a new user's trial): a separable verb asks about its whole verb („reichen … ein“ → „einreichen“)
    ("a separable verb names the claims topic", "Und wann reichen wir die Belege ein?", [],
     ["proof-of-execution", "claims"]),
]


@pytest.mark.parametrize(("question", "expected", "topics"), [r[1:] for r in SERVICE_AND_TOPICS],
                         ids=[r[0] for r in SERVICE_AND_TOPICS])
def test_service_and_topic_words(assistant, question: str, expected: list[tuple[str, str | None]],  # type: ignore[no-untyped-def]
                                 topics: list[str]) -> None:
    check = assistant.checker.check(question)
    assert [(f.verdict, f.rule_id) for f in check.findings] == expected
    assert check.topics == topics


def test_explanations_read_as_plain_words(assistant) -> None:  # type: ignore[no-untyped-def]
    """A partner reads why, not how: no recogniser features or scores in the explanation (they stay in the finding's
    matched_by, matched_terms and confidence for staff tools); a purpose says what the activity seems to serve."""
    onsite = assistant.answer(TERM_YIELDS[0][1])
    learned = [f for f in onsite.findings if f.matched_by == "learned"]
    assert learned and all(f.matched_terms and f.confidence for f in learned)
    assert not any(re.search(r"\d\.\d\d|\bwortlaut\b", f.explanation, re.I) for f in onsite.findings)
    survey = assistant.answer(SERVICE_AND_TOPICS[0][1]).findings[0]
    assert "Service für bestehende Kunden" in survey.explanation


# A new user's trial (session 23): "Solutions Partner" said of the partner itself is no programme fee asked about
# (rows written here; the second activity keeps its own finding)
@pytest.mark.parametrize(("question", "rule"), [
    ("Wir sind Solutions Partner für Modern Work und möchten im Q3 eine LinkedIn-Kampagne zu Teams über Co-op laufen "
     "lassen.", "dg.social-media"),
    ("Als Solutions Partner für Security wollen wir Google Ads zu Defender schalten – geht das über Co-op?",
     "dg.digital-advertising"),
])
def test_the_partner_describing_itself_names_no_programme(assistant, question: str, rule: str) -> None:  # type: ignore[no-untyped-def]
    cited = [f.rule_id for f in assistant.answer(question).findings]
    assert "ps.ai-cloud-partner-program" not in cited and rule in cited


def test_the_customers_own_switch_is_no_migration_service(assistant) -> None:  # type: ignore[no-untyped-def]
    """Getting firms to switch is the goal of what is described, not a migration the partner performs (session 32, a
    kind from the readable probes; written here): whatever decides, it is not the migration, and it gets an answer."""
    answer = assistant.answer("We want to get more small firms to move to Microsoft 365, so new clients get our first "
                              "month of support on the house. Co-op?")
    assert answer.findings and all(f.rule_id != "md.migration-services" for f in answer.findings)


def test_a_category_to_book_under_is_no_question_about_it(assistant) -> None:  # type: ignore[no-untyped-def]
    """„… über Partner Skilling abrechnen?“ names where the partner would book what it describes: that gets its
    finding beside the category's answer, not silence (session 32, a kind from a readable negative set; written here)."""
    answer = assistant.answer("Mitgliedsgebühr für den Händlerverband, 800 €/Jahr – können wir die über Partner "
                              "Skilling abrechnen?")
    assert [(f.verdict, f.rule_id) for f in answer.findings] == [("unclear", None)] and answer.handoff is not None
    assert "Händlerverband" in answer.findings[0].activity
    # asked what the category takes, there is no activity to judge
    assert assistant.answer("Welche Aktivitäten können wir über Partner Skilling abrechnen?").findings == []


# Session 32 (a kind from the readable negative probes; rows written here): a partner programme named with an owner that
# is not Microsoft is another company's programme — "unclear" with the hand-off, not the AI Cloud Partner Program (the
# last two rows guards, passing before too)
PROGRAMME_OWNERS = [
    ("a name before the programme", "Can co-op pay the membership for the Mailchimp partner program?",
     [("unclear", None)]),
    ("a name after the programme", "Mitgliedsbeitrag für das Partnerprogramm von Würth – geht das über Co-op?",
     [("unclear", None)]),
    ("a name joined to the programme", "Unsere Mitgliedschaft im DIHK-Partnerprogramm: kann Co-op die zahlen?",
     [("unclear", None)]),
    ("Microsoft's programme", "Is our membership fee for the Microsoft partner program eligible?",
     [("eligible", "ps.ai-cloud-partner-program")]),
    ("Microsoft's programme, German compound", "Mitgliedschaft im Microsoft-Partnerprogramm – Co-op-fähig?",
     [("eligible", "ps.ai-cloud-partner-program")]),
]


@pytest.mark.parametrize(("question", "expected"), [r[1:] for r in PROGRAMME_OWNERS], ids=[r[0] for r in PROGRAMME_OWNERS])
def test_another_owners_programme_is_no_partner_program(assistant, question: str,  # type: ignore[no-untyped-def]
                                                         expected: list[tuple[str, str | None]]) -> None:
    answer = assistant.answer(question)
    assert [(f.verdict, f.rule_id) for f in answer.findings] == expected
    if expected[0][0] == "unclear":
        said = answer.findings[0].explanation
        assert ("another company's programme" in said or "Programm eines anderen Unternehmens" in said) \
            and answer.handoff is not None


@pytest.mark.parametrize("question", [
    "Rechnungsposition: ‚Messestand auf der Hannover Messe, 9 qm, 8.900 EUR‘ – förderfähig?",
    "Line item: 'LinkedIn ads for our Azure backup offer, 3 months' – can we claim it?",
])
def test_a_quoted_invoice_line_is_the_item(assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    """A quoted bill line is the item itself, not a name the partner gives it (session 32, a kind from a new user's
    trial; written here: the first was "unclear" as an unconfirmed label before, the second is a guard)."""
    assert len(assistant.answer(question).findings) == 1
    assert assistant.answer(question).findings[0].verdict == "eligible"


@pytest.mark.parametrize(("question", "expected"), [
    # session 33 (a kind from a new user's trial; rows written here, failing before but the guard): an activity that
    # names its Microsoft offering in its own words is not vetoed by the other item of its sentence
    ("Can co-op pay for Google Ads for our Copilot package and the gym membership of our MD?",
     [("eligible", "dg.digital-advertising"), ("unclear", None)]),
    ("Können wir Google-Anzeigen für unser Copilot-Paket und die Mitgliedschaft unseres Chefs im Fitnessstudio über "
     "Co-op zahlen?", [("eligible", "dg.digital-advertising"), ("unclear", None)]),
    ("Our phone bill covers voice, SMS and data for the Teams phones of our staff. Can co-op pay the SMS part?",
     [("unclear", None)]),
])
def test_an_activity_naming_its_offering_is_not_vetoed_by_its_neighbour(assistant, question: str,  # type: ignore[no-untyped-def]
                                                                       expected: list[tuple[str, str | None]]) -> None:
    assert [(f.verdict, f.rule_id) for f in assistant.answer(question).findings] == expected


@pytest.mark.parametrize("question", [
    "Dürfen wir Co-op für Bannerwerbung auf heise online einsetzen, Thema Azure Virtual Desktop?",
    "Können wir Google-Anzeigen über Co-op schalten, Thema Microsoft 365 Business Premium?",
])
def test_an_offering_of_several_words_is_what_the_activity_is_about(assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    """An offering named in several words after the activity („…, Thema Azure Virtual Desktop“) is what the activity
    is about, not an item of its own (session 33, a kind from a readable dialogue probe; written here, the first failing
    before: „Virtual Desktop" had been "unclear" beside the ad)."""
    assert [(f.verdict, f.rule_id) for f in assistant.answer(question).findings] == [
        ("eligible", "dg.digital-advertising")]


@pytest.mark.parametrize(("question", "item"), [
    # session 33 (a kind from the readable retired sets; rows written here, failing before but the guards)
    ("Können wir die Wartungsrechnung für unsere Heizung über Co-op einreichen?", True),
    ("Können wir den Jahresbeitrag für den Tennisclub über Co-op einreichen?", True),
    ("Can the bookkeeper's fee for our year-end accounts be submitted as a Co-op claim?", True),
    ("Can the yearly fee for our payroll software be submitted as a co-op claim?", True),
    # guards: how to claim, and the claim as a thing, ask about the process
    ("Wie reichen wir die Agenturrechnung über Co-op ein?", False),
    ("Can we submit two claims for one campaign through co-op?", False),
])
def test_whether_a_thing_can_be_claimed_through_coop_asks_about_it(assistant, question: str,  # type: ignore[no-untyped-def]
                                                                   item: bool) -> None:
    """A yes-or-no question whether a thing can be submitted through Co-op asks whether Co-op pays for it: the thing
    gets its finding ("unclear" with the hand-off), beside the claims tip — it had no finding at all."""
    answer = assistant.answer(question)
    assert "claims" in answer.topics
    if item:
        assert [f.verdict for f in answer.findings] == ["unclear"] and answer.handoff is not None
    else:
        assert answer.findings == []


def test_a_zu_infinitive_names_its_process_topic(assistant) -> None:  # type: ignore[no-untyped-def]
    """„einzureichen" is „einreichen": the claims question (session 25, a kind from a new user's trial; written here)."""
    answer = assistant.answer("Wie viel Zeit bleibt uns, den Claim für die Messe einzureichen?")
    assert "claims" in answer.topics


def test_either_asks_about_every_item(assistant) -> None:  # type: ignore[no-untyped-def]
    # session 34 (a kind from a readable negative probe): "either" asks about every item too, and the question itself
    # is no item — "either go through" had been the only finding, the lunch and the fridge had none
    [finding] = assistant.answer("Two things: the team Christmas lunch and a new fridge for the kitchen. Can either go "
                                 "through Co-op?").findings
    assert finding.verdict == "unclear" and "fridge" in finding.activity and "either" not in finding.activity
