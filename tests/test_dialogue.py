"""Conversations as test stories (Rasa style): turns in, the expected reading and findings of the last turn out."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.dialogue.resolver import Conversation

STORIES = [
    # session 29 (kinds from a new user's trial; rows written here): thanks that open a follow-up, or a thanks word
    # inside a question, do not swallow the question ("You're welcome" before); a follow-up naming a word of an earlier
    # activity asks about that activity, not about the word alone (the SMS of a phone bill had been eligible)
    ("thanks, then a follow-up", ["Can Co-op pay LinkedIn ads?"], "Thanks! And the dinner for our sales team as a "
     "thank-you?", "new", [("unclear", None)], "en"),
    ("… in German, after thanks and assent", ["Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"],
     "Super, danke. Und Xing?", "ellipsis", [("eligible", "dg.digital-advertising")], "de"),
    ("a thanks word inside a question", ["Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"],
     "Die Tickets für Union Berlin gegen Hertha für unsere Vertriebler als Dankeschön?", "new", [("unclear", None)], "de"),
    ("thanks with a question about the answer stay thanks", ["Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"],
     "Danke, ist das so korrekt?", "social", [], "de"),
    ("a follow-up naming a word of an earlier activity", ["Und die Vodafone-Rechnung mit dem SMS-Paket für die "
     "Diensthandys?"], "Und die SMS?", "recall", [("unclear", None)], "de"),
    ("… in English", ["Our Vodafone bill includes an SMS package for company phones. Co-op?"], "And the SMS?", "recall",
     [("unclear", None)], "en"),
    ("the one thing discussed, named with an article", ["Unsere Weihnachtsfeier im Hotel – Co-op?"], "Und das Event?",
     "recall", [("unclear", None)], "de"),
    ("… not after an eligible activity", ["Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"], "Und die Messe?",
     "ellipsis", [("eligible", "dg.trade-shows-events")], "de"),
    # session 26 (kinds from a new user's trial; rows written here): another name for what was discussed changes nothing
    # (the renamed staff party had been eligible as an event); "the first" of one activity is that one (read as an
    # activity „erste“ before)
    ("another name for the activity discussed", ["Can we pay our staff Christmas party from co-op?"], "What if we call "
     "it a customer event?", "recall", [("unclear", None)], "en"),
    ("… in German, booked as something else", ["Wir wollen für die drei besten Verkäufer eine Reise nach Dubai. Co-op?"],
     "Und wenn wir es als Kundenevent abrechnen?", "recall", [("not_eligible", "excl.seller-award-trips")], "de"),
    ("the first of one", ["Können wir einen Workshop zu Copilot über Co-op zahlen?", "Für unsere Kunden."],
     "Das erste geht also, oder?", "recall", [("eligible", "md.customer-seminars")], "de"),
    # session 26 (a kind from a readable dialogue probe; row written here): an activity picked by its position is asked
    # whether Co-op pays for it; its words ("1,500 contacts") had been read as a question for Partner Care's contact
    ("a recalled activity is asked about, not read as a process question", ["Two plans for autumn: a newsletter series "
     "to 1,500 contacts on Teams Phone and a booth at a regional IT fair. Both co-op?"], "the first one?", "recall",
     [("eligible", "dg.direct-email-sms")], "en"),
    # session 27 (kinds from a readable dialogue probe; rows written here): an opening that returns to an earlier
    # activity binds the answer after it to that activity, not to the last one discussed; a clarification opens a
    # correction like "I meant"
    ("back to an earlier activity, then its audience", ["Can co-op pay for a Power BI workshop?", "And what about a "
     "new printer for the office?"], "Back to the workshop: it's for our customers' controllers.", "audience",
     [("eligible", "md.customer-seminars")], "en"),
    ("… in German", ["Geht eine Schulung zu Intune über Co-op?", "Und die Reparatur unserer Klimaanlage?"],
     "Zurück zur Schulung – die ist für unsere Techniker.", "audience", [("eligible", "ps.internal-training")], "de"),
    ("a clarification re-describes the activity", ["Can co-op pay for three Surface Pro devices for our new sales "
     "hires?"], "to clarify: they'd only be used as demo devices in customer meetings", "new",
     [("eligible", "ps.product-seeding-demo")], "en"),
    ("a pause word before the correction", ["Geht ein Copilot-Workshop über Co-op?", "Für unser Team."],
     "Nein, warte – der Workshop ist doch für Kunden.", "audience", [("eligible", "md.customer-seminars")], "de"),
    # (name, earlier user turns, last turn, expected turn kind, expected (verdict, rule) findings, language)
    ("elliptic platform", ["Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"], "Und Xing?", "ellipsis",
     [("eligible", "dg.digital-advertising")], "de"),
    ("elliptic english", ["Can we pay for LinkedIn ads with co-op?"], "What about Bing?", "ellipsis",
     [("eligible", "dg.digital-advertising")], "en"),
    # session 33 (a kind from a readable dialogue probe; rows written here, failing before): the longer opening is the
    # opening, and a platform after a preposition is the platform
    ("a longer opening", ["Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"], "Und was ist mit Bing?", "ellipsis",
     [("eligible", "dg.digital-advertising")], "de"),
    ("a platform after a preposition", ["Dürfen wir Co-op für Google-Anzeigen zu Microsoft 365 nutzen?"],
     "Und auf Bing?", "ellipsis", [("eligible", "dg.digital-advertising")], "de"),
    ("… in english", ["Can we pay for LinkedIn ads about Teams Phone with co-op?"], "And on Xing?", "ellipsis",
     [("eligible", "dg.digital-advertising")], "en"),
    # session 33 (a kind from the readable dialogue probes; rows written here, the first failing before, the second a
    # guard): the same activity for the partner's own business around a Microsoft offering, said in a word or two
    ("the same for an offering of the partner's", ["Können wir Flyer für den Friseursalon meiner Tante bezahlen?"],
     "Und dasselbe für unser Azure-Backup-Angebot?", "ellipsis", [("eligible", "dg.print-ads")], "de"),
    ("… said about it", ["Can co-op pay for a newsletter about our AWS consulting?"],
     "OK, and the same newsletter but about our Teams Phone package?", "new", [("eligible", "dg.direct-email-sms")],
     "en"),
    # session 33 (a kind from a readable dialogue probe; row written here, failing before): the answer said whole names
    # the partner's own people in words the audience terms do not list
    ("the answer said whole, own people in own words", ["Wir planen eine Schulung zu Microsoft Defender und einen Stand "
     "auf der it-sa. Geht das über Co-op?"], "Die Schulung ist für unsere eigenen Admins.", "audience",
     [("eligible", "ps.internal-training")], "de"),
    # session 33 (a kind from a new user's trial; row written here, failing before): people named without "for" are no
    # new audience of the same activity — what the message says the same thing is, is asked about
    ("the same as something else, people named without for", ["Dürfen wir eine Anzeige in der c't zu Azure über Co-op "
     "schalten?"], "Und das Gleiche als Stellenanzeige, um zwei Techniker zu finden?", "new", [("unclear", None)], "de"),
    ("a platform of the same activity takes the earlier one's place", ["Können wir Social-Media-Marketing auf "
     "LinkedIn über Co-op laufen lassen?"], "Und Xing?", "ellipsis", [("eligible", "dg.social-media")], "de"),
    ("a platform of the same activity named with the activity", ["Can we pay for LinkedIn posts by an agency?"],
     "and Reddit?", "ellipsis", [("eligible", "dg.social-media")], "en"),
    ("a platform of another activity is no follow-up of this one", ["Können wir eine Plakatkampagne bezahlen?"],
     "Und Xing?", "new", [("unclear", None)], "de"),
    ("the same thing for another audience, described in words of its own", ["Can co-op pay for a Power BI workshop "
     "for our customers?"], "and the same thing for our sales team members?", "audience",
     [("eligible", "ps.internal-training")], "en"),
    ("answer to the clarifying question", ["Können wir LinkedIn-Anzeigen bezahlen?", "Was ist mit einem Workshop?"],
     "Für unsere Kunden.", "audience", [("eligible", "md.customer-seminars")], "de"),
    # session 22 (a kind from a readable dialogue probe and the known "our dev team"; rows written here): the answer
    # names the partner's own people in words no audience term lists
    ("answer naming our own people", ["Is a Teams Premium workshop covered by co-op?"], "That one is for our own "
     "helpdesk guys.", "audience", [("eligible", "ps.internal-training")], "en"),
    ("answer naming a team of ours", ["Können wir einen Workshop zu Intune über Co-op abrechnen?"],
     "Der ist nur für unser Dev-Team.", "audience", [("eligible", "ps.internal-training")], "de"),
    # session 22 (a kind from a readable dialogue probe; row written here): a hyphenated name keeps its function words
    ("the same for another customer keeps a hyphenated name whole", ["Can co-op fund a Dynamics 365 proof-of-concept "
     "for a retail customer?"], "and the same thing for another client in healthcare?", "audience",
     [("eligible", "md.proof-of-concept")], "en"),
    # session 22 (a kind from a readable dialogue probe; rows written here): a message that opens by naming an earlier
    # activity and names none of its own asks about that one again
    ("an earlier activity named as the subject", ["Können wir die Reise für unsere Top-Verkäufer nach Rom und Google Ads "
     "über Co-op zahlen?"], "Wegen der Reise: wirklich gar keine Chance?", "recall",
     [("not_eligible", "excl.seller-award-trips")], "de"),
    ("an earlier activity named as the subject of a general question", ["Two questions: the fee for our Azure "
     "specialization audit, and LinkedIn ads for Copilot."], "About the audit: is there really no exception?", "recall",
     [("not_eligible", "excl.specialization-audit-fees")], "en"),
    # session 22 (a new user's trial; row written here): a fragment fits the frame of another activity of the last turn
    ("an ellipsis in the frame of another activity of the last turn", ["Can co-op pay for Google Ads about Azure and the "
     "AZ-104 exams of our admins?"], "And Bing?", "ellipsis", [("eligible", "dg.digital-advertising")], "en"),
    ("new audience for the earlier activity", ["Ist ein Copilot-Training Co-op-fähig?"],
     "und dasselbe für unsere Techniker?", "audience", [("eligible", "ps.internal-training")], "de"),
    ("the same named inside the follow-up, a compound's audience dropped", ["Können wir ein Kunden-Bootcamp zu Dynamics "
     "365 über Co-op finanzieren?"], "Und wenn wir das Gleiche nur für unsere eigenen Berater machen?", "audience",
     [("eligible", "ps.internal-training")], "de"),
    ("the same named inside the follow-up, in English", ["Is a customer workshop on Intune eligible?"],
     "And what about running the same thing just for our own engineers?", "audience",
     [("eligible", "ps.internal-training")], "en"),
    ("correction names a new activity", ["Können wir eine Kundenveranstaltung bezahlen?"],
     "Sorry, ich meinte eine SMS-Kampagne", "new", [("eligible", "dg.direct-email-sms")], "de"),
    ("thanks get a short reply", ["Können wir LinkedIn-Anzeigen bezahlen?"], "Danke!", "social", [], "de"),
    # session 34 (a kind from a readable dialogue probe; rows written here): dropping the matter after a "no" is no
    # activity (it had got the hand-off)
    ("dropping the matter", ["Can co-op pay for a new coffee machine for the office?"], "Fine, forget it.", "social", [],
     "en"),
    ("… in German", ["Können wir die Kaffeemaschine fürs Büro über Co-op zahlen?"], "Schade, dann nicht.", "social", [],
     "de"),
    # session 34 (kinds from the readable dialogue probes; rows written here, failing before): a greeting of everyone,
    # and a wish that goes with thanks, are no follow-up ("no activity recognised" before)
    ("a greeting of everyone", [], "Guten Morgen zusammen!", "social", [], "de"),
    ("thanks with a wish", ["Can co-op pay for a trip to Barcelona for our top sellers?"], "Thanks, and have a good "
     "weekend.", "social", [], "en"),
    ("a thumbs-up acknowledges like thanks", ["Can we pay for Google Ads with co-op?"], "👍🏼", "social", [], "en"),
    # session 30 (kinds from a readable dialogue probe; rows written here): an acknowledgement in words is social after
    # a hand-off too, and a claim "filed" or an activity "documented for the claim" asks about the process
    ("an acknowledgement after a hand-off", ["Can co-op pay for a first-aid course for our office staff?"],
     "alright, makes sense", "social", [], "en"),
    # session 30 (a new user's trial; row written here): thanks that open a question about paying for something else
    # are no social turn — the question is answered
    ("thanks, then another question", ["Können wir Google Ads für Azure über Co-op bezahlen?"],
     "Okay, danke. Anderes Thema: Dürfen wir das Sommerfest für unser Team über Co-op zahlen?", "new",
     [("unclear", None)], "de"),
    ("when to file", ["Can co-op cover three of our engineers going to Microsoft Ignite?"],
     "How quickly after the event do we have to file?", "new", [], "en"),
    ("a thinking face asks nothing known", ["Can we pay for Google Ads with co-op?"], "🤔", "new", [], "en"),
    ("short follow-up keeps the conversation's language", ["Can we pay for Google Ads with co-op?"], "SEO?", "new",
     [("eligible", "dg.website-seo")], "en"),
    ("a new question starts a new frame", ["Können wir LinkedIn-Anzeigen bezahlen?"],
     "Dürfen wir Prüfungsgebühren für die AZ-104 unserer Techniker abrechnen?", "new",
     [("eligible", "ps.certifications-exams")], "de"),
    ("thanks in a few words ask nothing", ["Können wir Google Ads bezahlen?"],
     "Alles klar, danke für die schnelle Hilfe", "social", [], "de"),
    ("the other audience for an audience-bound activity", ["Ist ein Power-BI-Workshop für unsere Kunden Co-op-fähig?"],
     "und für unsere Consultants?", "audience", [("eligible", "ps.internal-training")], "de"),
    ("a corrected audience", ["Können wir ein Excel-Training für unsere Berater bezahlen?"],
     "nein, ich meinte für unsere Kunden", "audience", [("eligible", "md.customer-seminars")], "de"),
    ("an audience as a German compound", ["Ist ein Workshop zu Copilot Co-op-fähig?"],
     "Für unsere Vertriebsmitarbeiter.", "audience", [("eligible", "ps.internal-training")], "de"),
    # session 11: the answer to the open audience question in the partner's own words (written for these tests; before,
    # each was a new question with no finding)
    ("the audience answer in own words", ["Können wir einen Workshop zu Copilot über Co-op zahlen?"],
     "Teilnehmen werden ausschließlich Kunden.", "audience", [("eligible", "md.customer-seminars")], "de"),
    ("the audience answer with what it is not", ["Can co-op pay for a Copilot workshop?"],
     "Only customers, not our staff.", "audience", [("eligible", "md.customer-seminars")], "en"),
    ("the audience answer naming the staff", ["Can co-op pay for a Copilot workshop?"],
     "Our own engineers would attend.", "audience", [("eligible", "ps.internal-training")], "en"),
    ("a corrected audience in own words", ["Können wir einen Copilot-Workshop über Co-op bezahlen?", "Für Kunden."],
     "Korrektur: doch nicht für Kunden, sondern für unsere eigenen Vertriebler.", "audience",
     [("eligible", "ps.internal-training")], "de"),
    # session 13, from a new user's trial: the activity named again with a modal particle („doch") was read as two
    # words describing something else and vetoed as not marketing
    ("a corrected audience that names the activity again", ["Können wir eine Copilot-Schulung über Co-op bezahlen?",
     "Für unsere Kunden."], "Ach nein, Korrektur: die Schulung ist doch für unsere eigenen Vertriebler.", "audience",
     # (session 21: „Korrektur:“ opens a correction, so the turn corrects the audience and replaces the customer
     # seminar in the conversation's findings; it was read as a new question naming the training again)
     [("eligible", "ps.internal-training")], "de"),
    ("a corrected audience ending in thanks", ["Können wir einen Copilot-Workshop über Co-op bezahlen?", "Für Kunden."],
     "Moment, Korrektur: doch für unsere eigenen Vertriebler. Danke schon mal!", "audience",
     [("eligible", "ps.internal-training")], "de"),
    ("with no open question an audience remark is new", ["Können wir LinkedIn-Anzeigen bezahlen?"],
     "Die sehen vor allem Interessenten.", "new", [], "de"),
    ("a bare fragment without a question mark", ["Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"],
     "Dann eben Xing.", "ellipsis", [("eligible", "dg.digital-advertising")], "de"),
    # … a regret is no fragment of the frame either: since session 34 it is acknowledged („Alles klar. …“), not told
    # that no activity was found
    ("a bare remark that fits no frame is no ellipsis", ["Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"],
     "Schade.", "social", [], "de"),
    ("a process question with no back-reference word", ["Können wir eine Plakatkampagne bezahlen?"],
     "Bis wann müssen wir den Claim einreichen?", "reference", [], "de"),
    ("a fragment the earlier frame word alone would decide is new", ["Can we pay for an SMS campaign with co-op?"],
     "And the hotel for our team?", "new", [("unclear", None)], "en"),
    ("a new thing for the named audience is not an audience answer", ["Ist ein Workshop zu Copilot Co-op-fähig?"],
     "Und die Flüge für unsere Techniker?", "new", [("unclear", None)], "de"),
    ("a process question naming activities of its own asks about those", ["Ist ein Copilot-Workshop für unsere "
     "Kunden Co-op-fähig?"], "Welche Nachweise brauchen wir für die Plakate und den Newsletter?", "new", [], "de"),
    ("a correction 'nicht für A, sondern für B' is one clause", ["Ist ein Workshop zu Copilot Co-op-fähig?"],
     "Der Workshop ist nicht für Kunden, sondern für unsere Techniker.", "new", [("eligible", "ps.internal-training")],
     "de"),
    # "the same for X" (session 8): X a platform of the last activity, an activity of its own, or nothing Co-op
    ("the same for another platform", ["Can we run Google search ads for our Azure backup offer with co-op?"],
     "Would the same work for Bing?", "ellipsis", [("eligible", "dg.digital-advertising")], "en"),
    ("the same for another platform, in German with filler", ["Können wir Anzeigen auf LinkedIn für unser "
     "Teams-Paket schalten?"], "Wäre das gleiche dann auch für Facebook möglich?", "ellipsis",
     [("eligible", "dg.digital-advertising")], "de"),
    ("the same for an activity of its own", ["Können wir einen Newsletter zu Microsoft 365 an Bestandskunden "
     "verschicken?"], "Gilt das gleiche für eine SMS-Aktion?", "new", [("eligible", "dg.direct-email-sms")], "de"),
    ("the same for something that is no Co-op activity", ["Can we run Google search ads for our Azure backup offer "
     "with co-op?"], "Is the same possible for our office party?", "new", [("unclear", None)], "en"),
    # session 32 (a kind from a readable dialogue probe; rows written here): "the same <activity> for <offering>" asks
    # about the last activity for that offering instead of what it was for — also after „dieselbe“ (feminine)
    ("the same ads for a Microsoft offering instead", ["We run Google Ads for our AWS consulting. Can co-op pay for "
     "them?"], "What about the same ads but for Azure?", "ellipsis", [("eligible", "dg.digital-advertising")], "en"),
    ("the same campaign for a Microsoft offering, German", ["Können wir Google-Anzeigen für unser "
     "Google-Workspace-Angebot über Co-op zahlen?"], "Und dieselbe Kampagne für Microsoft 365?", "ellipsis",
     [("eligible", "dg.digital-advertising")], "de"),
    # an ordinal asks about one of the last turn's activities again (session 12, issue #7 "the first one"; written for
    # these tests: before, each was an "unclear" finding for the ordinal word)
    ("an ordinal asks about the first activity again", ["Können wir LinkedIn-Anzeigen und eine Reise für unsere "
     "besten Verkäufer mit Co-op bezahlen?"], "Das erste geht also, oder?", "recall",
     [("eligible", "dg.digital-advertising")], "de"),
    ("an ordinal picks the excluded one", ["Können wir LinkedIn-Anzeigen und eine Reise für unsere besten Verkäufer "
     "mit Co-op bezahlen?"], "Und das zweite?", "recall", [("not_eligible", "excl.seller-award-trips")], "de"),
    ("an ordinal with an audience", ["Can we fund LinkedIn ads and a Copilot workshop?"],
     "And the second one, if it's for our own engineers?", "recall", [("eligible", "ps.internal-training")], "en"),
    ("an ordinal read as a process question by the recogniser", ["Can we fund Bing ads and a trade show booth?"],
     "What about the second?", "recall", [("eligible", "dg.trade-shows-events")], "en"),
    ("an ordinal with one activity discussed picks nothing", ["Können wir LinkedIn-Anzeigen bezahlen?"],
     "Und das zweite?", "new", [("unclear", None)], "de"),
    # a fragment the none-veto reads as not Co-op marketing takes no frame (session 15, a kind from the readable
    # dialogue probe; written for these tests: before, both were "eligible" as solution building with the ISV)
    *[(f"a fragment that is not marketing takes no frame: {q[9:25]}", ["Wir bauen mit einem ISV eine Branchenlösung auf "
       "Dynamics 365 (Solution Building mit Drittanbietern). Geht das über Co-op?"], q, "new", [("unclear", None)], "de")
      for q in ("Und die Taxikosten zum Segeltörn mit dem ISV-Chef?", "Und das Weihnachtsgeschenk für den ISV-Chef?")],
    # session 15, kinds from the readable dialogue probe (rows written for these tests; each failed on the old code)
    ("a question when to claim points back", ["Können wir einen Newsletter an unsere Kunden über Co-op bezahlen?"],
     "Wann sollte ich das dann abrechnen?", "reference", [], "de"),
    ("a proof question about a workshop asks no audience", [], "What evidence should I keep for a workshop?", "new", [],
     "en"),
    ("a trailing 'same thing' repeats the frame", ["Can we use co-op for LinkedIn posts about our Azure services?"],
     "what about Xing, same thing?", "ellipsis", [("eligible", "dg.social-media")], "en"),
    ("a company name in parentheses and a month are no part of the activity", ["Hallo, wir (Müller IT GmbH) planen im "
     "Mai einen Workshop zu Azure. Geht das über Co-op?"], "und dasselbe für unsere Techniker?", "audience",
     [("eligible", "ps.internal-training")], "de"),
    # session 16, from a new user's trial: the answer to the clarifying question said whole, naming the activity again
    ("the answer names the activity again", ["Can we pay for a workshop with Co-op?"],
     "The workshop is for our customers.", "audience", [("eligible", "md.customer-seminars")], "en"),
    ("a corrected audience names the activity again", ["Können wir einen Kundenworkshop mit Co-op bezahlen?"],
     "Der Workshop ist doch für unsere Vertriebler.", "audience", [("eligible", "ps.internal-training")], "de"),
    ("an audience after a compound with an audience word", ["Können wir einen Kundenworkshop zu Copilot bezahlen?"],
     "Und für unsere Techniker?", "audience", [("eligible", "ps.internal-training")], "de"),
    ("an ordinal counts every activity when each turn named one", ["Können wir eine Telefonaktion machen?",
     "Und eine Schulung?", "Die Schulung ist für unsere Vertriebler."], "Das erste geht also, oder?", "recall",
     [("eligible", "md.telemarketing")], "de"),
    ("'nur' says how, not what", ["Können wir eine Telefonaktion machen?", "Und eine Schulung?"],
     "Die Schulung ist nur für unsere Vertriebler.", "audience", [("eligible", "ps.internal-training")], "de"),
    ("the same for people the checker does not know asks whom", ["Can we pay for a training day for our SMB "
     "customers?"], "what about the same for our techies?", "audience", [("needs_info", None)], "en"),
    ("another activity for the audience is a new question", ["Can we pay for a workshop with Co-op?"],
     "A webinar for our customers?", "new", [("eligible", "md.customer-seminars")], "en"),
    # session 20 (a kind from a readable dialogue probe; rows written here): "the same as X" asks about X when X names an
    # activity of its own; before, "as X" was a proposed label nothing confirmed ("unclear")
    ("the same as another channel", ["Could a postcard mailing to our SMB customers be paid with co-op?"],
     "and the same as an e-mail campaign?", "new", [("eligible", "dg.direct-email-sms")], "en"),
    ("„das Ganze“ as another activity", ["Wir planen einen Workshop zu Teams Premium für unsere Techniker. Co-op?"],
     "Und das Ganze nochmal als Webinar für unsere Kunden?", "new", [("eligible", "md.customer-seminars")], "de"),
    # session 21 (kinds from a readable dialogue probe; rows written here): a greeting that opens the conversation gets
    # a greeting back, not "no activity recognised" with the hand-off; an audience said with a word naming which of them
    # ("our support staff") and "as well" is the earlier activity for them
    # session 21 (a new user's trial; rows written here): an ordinal past the third, the last one and a number after a
    # word for one pick an item too; before, "the fourth one" got "no activity recognised"
    ("the fourth item", ["We got an invoice: 1) LinkedIn ads, 2) a customer workshop, 3) a trade fair booth, 4) a "
     "print ad in a trade journal. Co-op?"], "what about the fourth one?", "recall", [("eligible", "dg.print-ads")], "en"),
    ("the last item", ["Können wir LinkedIn-Anzeigen, einen Messestand und eine Reise für unsere besten Verkäufer "
     "bezahlen?"], "Und das letzte?", "recall", [("not_eligible", "excl.seller-award-trips")], "de"),
    ("an item by its number", ["Können wir LinkedIn-Anzeigen, einen Messestand und eine Reise für unsere besten "
     "Verkäufer bezahlen?"], "Und Nr. 2?", "recall", [("eligible", "dg.trade-shows-events")], "de"),
    # … also after „Und …“: the item picked for another audience, not the frame of the last activity (the trial's
    # exam vouchers „für unsere Kunden“ read as a customer offer: a false "eligible")
    ("an item picked after „Und“ for another audience", ["Unsere Rechnung: 1) LinkedIn-Anzeigen, 2) ein Kundenworkshop, "
     "3) ein Messestand, 4) AZ-900-Prüfungsgutscheine. Co-op?"], "Und das vierte – das ist eigentlich für unsere Kunden.",
     "recall", [("unclear", None)], "de"),
    # session 23 (a kind from a readable dialogue probe; rows written here): an ordinal in a compound or after an
    # indefinite article names a thing, not an earlier item (the first turn's finding came back)
    ("an ordinal inside a compound picks nothing", ["Können wir die Gebühr für das AI Cloud Partner Program über "
     "Co-op zahlen?", "Und On-Demand-Kurse zu Azure für unsere Techniker?"], "Und ein Erste-Hilfe-Kurs für das "
     "Empfangsteam?", "new", [("unclear", None)], "de"),
    ("an ordinal after an indefinite article picks nothing", ["Can we pay for Google Ads with co-op?", "And a trade "
     "show stand at the it-sa?"], "What about a first aid refresher for the office staff?", "new", [("unclear", None)],
     "en"),
    # session 23 (a kind from a new user's trial; row written here): an item picked for another audience keeps the
    # Microsoft offering its label names (the label had lost "Microsoft", and the purpose slot read the rest as off)
    ("an item picked for our staff keeps its offering", ["Can co-op pay for a Power BI bootcamp and for Microsoft "
     "certification exam fees?"], "and the second one, for our own staff?", "recall",
     [("eligible", "ps.certifications-exams")], "en"),
    ("a greeting opens the conversation", [], "Hi there!", "social", [], "en"),
    ("„Hallo zusammen“ likewise", [], "Hallo zusammen!", "social", [], "de"),
    # session 24 (a kind from a readable realworld probe; row written here): thanks with a signature that ask nothing
    ("thanks with a signature", [], "Many thanks for your fast answer last week! Kind regards, Ana", "social", [], "en"),
    ("an audience with its qualifier, as well", ["Can we pay for on-demand Azure courses with co-op?"],
     "and for our support staff as well?", "audience", [("eligible", "ps.on-demand-training")], "en"),
    # session 25 (a kind from a readable dialogue probe; rows written here): a process question about an activity the
    # conversation decided before another question points back to it — no new finding
    ("a proof question names the earlier stand again",
     ["Können wir den Messestand auf der Hannover Messe über Co-op bezahlen?", "Und die Miete für unser Büro dort?"],
     "Nochmal zum Messestand: reichen Fotos mit Datum als Nachweis?", "reference", [], "de"),
    ("a proof question names the earlier ads again",
     ["Can co-op pay for Google search ads for our Azure offer?", "What about the rent for our office?"],
     "Back to the Google ads: what proof do we need?", "reference", [], "en"),
    # session 25 (a kind from the conversation; row written here): a fragment that fits no frame of the last
    # turn fits an earlier activity's
    ("an ellipsis after an answered audience question takes the earlier frame",
     ["Können wir Google-Anzeigen für Azure mit Co-op bezahlen?", "Was ist mit einem Seminar?", "Für unsere Kunden."],
     "Und Bing?", "ellipsis", [("eligible", "dg.digital-advertising")], "de"),
    # session 25 (a kind from a new user's trial; rows written here): the fragment keeps what the frame was for
    ("an ellipsis keeps the frame's private purpose", ["Can we pay for Google ads for my sister's bakery?"],
     "And LinkedIn ads?", "ellipsis", [("unclear", None)], "en"),
    ("… in German", ["Können wir Flyer für den Friseursalon meiner Tante bezahlen?"], "Und Instagram-Werbung?",
     "ellipsis", [("unclear", None)], "de"),
    # session 34 (a false "eligible" in a readable dialogue probe; rows written here): a fragment that says what it is
    # for, other than a Microsoft offering, is no ellipsis of the frame (the frame's words lent it its offering)
    ("a follow-up with a purpose of its own", ["Can we use co-op for ads for our Microsoft 365 packages?"],
     "And mailing our Salesforce consulting brochure to prospects?", "new", [("unclear", None)], "en"),
    # session 25 (kinds from a new user's trial; rows written here): an audience corrected with „doch“ / "it's", and an
    # earlier activity picked by its position is asked about again
    ("an audience corrected with „doch“", ["Können wir die MS-900-Prüfungen über Co-op bezahlen?", "Für unsere Kunden."],
     "Nein, doch für unsere eigenen Techniker.", "audience", [("eligible", "ps.certifications-exams")], "de"),
    ("an audience corrected with it's", ["Can we pay the MS-900 exams with co-op?", "For our customers."],
     "Sorry, it's for our own engineers.", "audience", [("eligible", "ps.certifications-exams")], "en"),
    ("an ordinal picks an activity said without a question", ["Can co-op pay for a LinkedIn campaign, a booth at a "
     "regional fair and a newsletter for our customers?"], "the first one?", "recall", [("eligible", "dg.social-media")],
     "en"),
    ("both audiences answer the audience question", ["Können wir ein Power-BI-Seminar über Co-op bezahlen?"],
     "Für beide.", "audience", [("eligible", "md.customer-seminars"), ("eligible", "ps.internal-training")], "de"),
    ("… named one by one", ["Can co-op pay for a Power BI seminar?"], "Both, our customers and our consultants.",
     "audience", [("eligible", "md.customer-seminars"), ("eligible", "ps.internal-training")], "en"),
]


@pytest.fixture(scope="module")
def conversation(assistant) -> Conversation:  # type: ignore[no-untyped-def]
    return Conversation(assistant)


@pytest.mark.parametrize(("history", "question", "kind", "findings", "language"), [s[1:] for s in STORIES],
                         ids=[s[0] for s in STORIES])
def test_story(conversation: Conversation, history: list[str], question: str, kind: str,
               findings: list[tuple[str, str | None]], language: str) -> None:
    answer = conversation.answer(question, history)
    assert answer.turn == kind
    assert [(f.verdict, f.rule_id) for f in answer.findings] == findings
    assert answer.language == language and answer.question == question
    if kind == "social":
        assert answer.answer and "keine Aktivität" not in answer.answer and answer.handoff is None


def test_a_kept_dialogue_state_is_never_changed(assistant) -> None:  # type: ignore[no-untyped-def]
    """The state after each replayed history is kept (a batch's next line of the same dialogue replays one turn): a
    longer history replayed later changes no kept state, and a kept prefix gives the state a fresh replay gives."""
    history = ["Können wir LinkedIn-Anzeigen mit Co-op bezahlen?", "Was ist mit einem Workshop?", "Für unsere Kunden.",
               "Und Xing?"]
    conversation = Conversation(assistant)
    first = conversation.state(history[:2])
    whole = conversation.state(history)
    assert conversation.state(history[:2]) == first == Conversation(assistant).state(history[:2])
    assert whole == Conversation(assistant).state(history)
    assert len(whole.discussed) > len(first.discussed) and first.pending is not None and whole.pending is None


def test_process_follow_up_points_back(conversation: Conversation) -> None:
    answer = conversation.answer("Welche Nachweise brauche ich dafür?", ["Können wir eine E-Mail-Kampagne bezahlen?"])
    assert answer.turn == "reference" and "proof-of-execution" in answer.topics
    assert "E-Mail-Kampagne" in (answer.resolved_question or "")


@pytest.mark.parametrize(("history", "question", "about"), [
    pytest.param(["Können wir Google Ads und einen Messestand auf der it-sa über Co-op bezahlen?"],
                 "Welche Nachweise brauche ich dafür?", ["Google Ads", "Messestand auf der it-sa"],
                 id="a reference after two activities is about both"),
    pytest.param(["Can we pay for LinkedIn ads and a booth at a regional trade fair with co-op?"],
                 "What proof do we need for the first one?", ["LinkedIn ads"],
                 id="an ordinal picks one"),
    pytest.param(["Können wir eine Reise für unsere Top-Verkäufer und Google Ads über Co-op abrechnen?"],
                 "Und welche Nachweise brauchen wir für die Reise?", ["Reise für unsere Top-Verkäufer"],
                 id="a word of its own names one"),
    # session 16, from a new user's trial: the workshop asked about before its audience was given was listed too, as
    # "the guidance does not decide"
    pytest.param(["Können wir einen Workshop zu Copilot machen?", "hauptsächlich für unsere Bestandskunden"],
                 "Welche Nachweise brauche ich für den Workshop?", ["Workshop zu Copilot machen für unsere Kunden"],
                 id="an activity decided again is about its new decision only"),
    pytest.param(["Can we pay for a bootcamp and a booth at the IT expo?", "The bootcamp is for our customers."],
                 "What proof for the first one?", ["bootcamp for our customers"],
                 id="an ordinal counts the activity decided again in its place"),
])
def test_a_process_follow_up_is_about_the_activities_it_points_to(conversation: Conversation, history: list[str],
                                                                  question: str, about: list[str]) -> None:
    answer = conversation.answer(question, history)
    assert answer.turn == "reference" and answer.findings == []
    headings = re.findall(r"^(?:Zu|About) (.+):$", answer.answer, re.MULTILINE)
    assert [name for h in headings for name in re.findall(r"[„“](.+?)[“”]", h)] == about, answer.answer
    # session 12, from a new user's trial: activities with the same reminders share one heading (they were printed
    # twice, word for word)
    reminders = answer.answer.split("**")[0].casefold()
    assert len(headings) == 1 and reminders.count("proof of execution") <= 1, answer.answer
    assert all(block.count("\n") >= 1 for block in answer.answer.split("\n\n")[:len(headings)])  # never a bare heading


def test_a_process_follow_up_about_an_excluded_activity_says_there_is_no_claim(conversation: Conversation) -> None:
    """Session 11 (a new user's trial): proof tips were given for an activity just called not fundable."""
    answer = conversation.answer("Welche Nachweise brauche ich dafür?", [
        "Können wir einen Messestand auf der it-sa und die Gebühr für unser Spezialisierungs-Audit über Co-op zahlen?"])
    blocks = answer.answer.split("\n\n")
    audit = next(b for b in blocks if b.startswith("Zu „") and "Audit" in b.splitlines()[0])
    stand = next(b for b in blocks if b.startswith("Zu „") and "Messestand" in b.splitlines()[0])
    assert "keinen Co-op-Nachweis und keinen Claim" in audit and len(audit.splitlines()) == 2
    assert "keinen Claim" not in stand and len(stand.splitlines()) > 1


@pytest.mark.parametrize(("history", "question", "resolved", "expected"), [
    (["Können wir eine Kundenveranstaltung bezahlen?"], "Sorry, ich meinte eine SMS-Kampagne", "eine SMS-Kampagne",
     [("eligible", "dg.direct-email-sms")]),
    (["Can co-op pay for a newsletter?"], "No, sorry, I meant a webinar for our customers", "a webinar for our customers",
     [("eligible", "md.customer-seminars")]),
    (["Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"], "Oh, ich meine Xing", None,  # the rest read in its frame
     [("eligible", "dg.digital-advertising")]),
    # session 16, from a new user's chat trial: the label kept „hab mich vertan –"
    (["Können wir eine Schulung bezahlen?", "Die Schulung ist für unsere Vertriebler."],
     "Sorry, hab mich vertan – die Schulung ist doch für Kunden.", "Schulung für unsere Kunden",
     [("eligible", "md.customer-seminars")]),
    # session 21 (a kind from a readable dialogue probe; row written here): the correction named with a sign after it
    (["Wir wollen eine Intune-Schulung organisieren. Co-op?", "Für Kunden."],
     "Moment, Korrektur – die Schulung ist doch für unsere eigenen Techniker.", None, [("eligible", "ps.internal-training")]),
])
def test_a_correction_is_read_without_its_opening(conversation: Conversation, history: list[str], question: str,
                                                  resolved: str | None, expected: list[tuple[str, str]]) -> None:
    """Session 13: „Sorry, ich meinte …" is the conversation's wording, not the activity's — with a larger everyday
    corpus the none-veto read „Sorry, ich meinte eine SMS-Kampagne" as not marketing (an own dialogue turn)."""
    answer = conversation.answer(question, history)
    assert [(f.verdict, f.rule_id) for f in answer.findings] == expected
    assert answer.question == question
    if resolved is not None:
        assert answer.resolved_question == resolved
    assert not re.search(r"(?i)\b(sorry|meinte?|meant)\b", answer.resolved_question or ""), answer.resolved_question


def test_an_audience_answer_joins_the_label_in_lower_case(conversation: Conversation) -> None:
    """Session 13, from a new user's trial: the label read „Copilot-Schulung Für unsere Kunden“."""
    answer = conversation.answer("Für unsere Kunden.", ["Können wir eine Copilot-Schulung über Co-op bezahlen?"])
    assert answer.turn == "audience" and answer.resolved_question == "Copilot-Schulung für unsere Kunden."
    assert [f.activity for f in answer.findings] == ["Copilot-Schulung für unsere Kunden"]


def test_claim_follow_up_gives_the_claim_tip(conversation: Conversation) -> None:
    answer = conversation.answer("and when do we claim it?", ["Can we pay for LinkedIn ads with co-op?"])
    assert answer.turn == "reference" and "claims" in answer.topics
    assert "Submit the claim soon after the expense is incurred." in answer.answer


def test_same_history_same_answer(conversation: Conversation) -> None:
    history = ["Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"]
    first = conversation.answer("Und Xing?", history).to_contract()
    assert first == conversation.answer("Und Xing?", list(history)).to_contract()
    alone = conversation.answer("Und Xing?", [])
    assert alone.turn == "new" and [f.rule_id for f in alone.findings] != ["dg.digital-advertising"]


def test_batch_lines_carry_their_history(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    lines = [{"id": "d1", "question": "Und Xing?", "history": ["Können wir LinkedIn-Anzeigen bezahlen?"]},
             {"id": "d2", "question": "Und Xing?"},
             {"id": "d3", "question": "Und Xing?", "history": "not a list"},
             # over the bounds (`text.clean_history`): refused with the limit, not read without the dropped message
             {"id": "d4", "question": "Und Xing?", "history": ["Können wir LinkedIn-Anzeigen bezahlen?", "x" * 4001]},
             {"id": "d5", "question": "And Xing?", "history": ["Can we pay LinkedIn ads?"] * 51}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--jsonl", str(src)])
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [f["rule_id"] for f in out[0]["findings"]] == ["dg.digital-advertising"]
    assert out[0]["question"] == "Und Xing?" and out[0]["resolved_question"]
    assert [f["rule_id"] for f in out[1]["findings"]] != ["dg.digital-advertising"]
    assert "history" in out[2]["error"]
    assert "History message 2" in out[3]["error"] and out[3]["findings"] == [] and "Verlaufs" in out[3]["answer"]
    assert "51 messages; the limit is 50" in out[4]["error"] and out[4]["language"] == "en"


@pytest.mark.parametrize(("history", "question", "activity"), [
    pytest.param(["Können wir Google-Anzeigen für unser Azure-Angebot über Co-op abrechnen?"],
                 "Und für einen Stand auf der it-sa?", "Stand auf der it-sa",
                 id="a fragment a rule decides by its own words borrows no frame word"),
    pytest.param(["Dürfen wir LinkedIn-Anzeigen für unser Teams-Paket über Co-op abrechnen?"], "Und das Gleiche auf Xing?",
                 "Xing-Anzeigen", id="the same on another platform takes the earlier activity's place"),
    # session 12, from a new user's trial: a corrected audience kept "Team" of the earlier "für unser Team"
    pytest.param(["Und für eine Schulung zu Azure?", "Die ist nur für unsere eigenen Techniker gedacht."],
                 "Ach nein, da kommen doch unsere Kunden hin.", "Schulung zu Azure für unsere Kunden",
                 id="a corrected audience replaces the whole earlier one"),
    pytest.param(["Can co-op pay for a Copilot training for our sales team?"], "Sorry, I meant for our customers.",
                 "Copilot training for our customers", id="a multi-word audience leaves no word behind"),
    # session 20, from a new user's trial: the label for another audience dropped every detail word, also one of the
    # activity's name („Floor Day“ → „Floor“) and one inside a compound ("two-day" → "two"), leaving "in" behind
    pytest.param(["Wir möchten für unsere Vertriebler einen Floor Day zu Copilot veranstalten. Geht das über Co-op?"],
                 "und dasselbe für unsere Techniker?", "Floor Day zu Copilot veranstalten für unsere Techniker",
                 id="a detail word of the activity's name stays"),
    pytest.param(["Can co-op pay for a two-day Copilot training in April for our customers?"],
                 "what about the same for our own engineers?", "two-day Copilot training for our own engineers",
                 id="a detail goes with its preposition, one inside a compound stays"),
])
def test_a_follow_up_finding_is_labelled_in_the_partners_words(conversation: Conversation, history: list[str],
                                                                question: str, activity: str) -> None:
    """The label starts with what the follow-up names; no frame word or reference word ("Gleiche") is glued on."""
    (finding,) = conversation.answer(question, history).findings
    assert finding.activity.startswith(activity), finding.activity
    glued = set(finding.activity.lower().split()) - set(activity.lower().split())
    assert not glued & {"google", "anzeige", "anzeigen", "gleiche", "same"}, finding.activity


def test_garbled_text_is_no_thanks(conversation: Conversation) -> None:
    """Session 26 (a new user's trial): mojibake folds to single letters ("a a a a"), which were all "social" words, and
    got „Gern geschehen!“; it is read as a message, and one with nothing recognised gets the hand-off."""
    garbled = "\u200b\u0007 ÃƒÂ¤ÃƒÂ¶ \ue000"
    for history in ([], ["Messestand auf der it-sa?"]):
        answer = conversation.answer(garbled, history)
        assert answer.turn != "social" and answer.handoff is not None
    assert conversation.answer("Danke!", ["Messestand auf der it-sa?"]).turn == "social"


def test_a_refused_chat_message_leaves_the_conversation_going(conversation: Conversation) -> None:
    """Session 28 (a new user's trial): the chat reads its history through `recent_history`, which leaves out a garbled
    message the chat refused; the follow-up after it is read in the conversation, not refused for it."""
    from assistant.text import recent_history

    settings = conversation.assistant.settings
    sent = ["Können wir LinkedIn-Anzeigen mit Co-op bezahlen?", "\ufffd\ufffd \x07\x08 ÿÿÿÿ"]
    history = recent_history(sent, settings.max_history_turns, settings.max_history_chars, settings.max_question_chars)
    answer = conversation.answer("Und Xing?", history)
    assert answer.error is None
    assert [(f.verdict, f.category) for f in answer.findings] == [("eligible", "demand_generation")]


def test_garbled_text_is_refused_in_the_language_of_the_ui(conversation: Conversation) -> None:
    """Session 28 (a new user's trial): text whose words tell no language is refused in the chat's language."""
    garbled = "\ufffd\ufffd \x07\x08 ÿÿÿÿ"
    english, german = (conversation.answer(garbled, [], ui_language=ui) for ui in ("en", "de"))
    assert english.error and german.error
    assert (english.language, german.language) == ("en", "de")
    assert english.answer != german.answer


def test_dropping_the_matter_is_acknowledged_not_thanked(conversation: Conversation) -> None:
    # session 34: "Fine, forget it." got "You're welcome!" once it was read as social; thanks still get it
    dropped = conversation.answer("Fine, forget it.", ["Can co-op pay for a new coffee machine for the office?"])
    thanked = conversation.answer("Thanks!", ["Can co-op pay for a new coffee machine for the office?"])
    assert dropped.answer.startswith("All right.") and thanked.answer.startswith("You're welcome!")
