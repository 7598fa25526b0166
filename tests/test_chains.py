"""Chains with a model: the guard stops a lying model, failures and timeouts fall back, extraction is grounded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.chains.answer import AnswerChain
from assistant.chains.draft import DraftChain
from assistant.chains.extraction import ExtractionChain, grounded
from assistant.chains.guard import check_prose
from assistant.chains.llm import chat_model
from assistant.config import Settings
from assistant.dialogue.resolver import Conversation
from tests.fake_openai import FakeOpenAI, Scripted

MIXED = "Können wir LinkedIn-Anzeigen und eine Incentive-Reise für unsere Top-Verkäufer mit Co-op bezahlen?"
TRIP_QUOTE = "Interne Seller-Award-Reisen sind nicht Co-op-berechtigt."


@pytest.fixture()
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


def _llm(fake: FakeOpenAI, timeout: float = 5.0):  # type: ignore[no-untyped-def]
    return chat_model(Settings(llm_base_url=fake.base_url, llm_model="fake-model", llm_timeout=timeout))


def test_no_key_means_no_model() -> None:
    assert chat_model(Settings()) is None


def test_without_a_model_the_reply_is_the_engines(assistant) -> None:  # type: ignore[no-untyped-def]
    reply = AnswerChain(assistant).invoke(MIXED)
    assert reply.source == "deterministic" and reply.text == reply.answer.answer


def test_honest_model_phrasing_is_used(assistant) -> None:  # type: ignore[no-untyped-def]
    honest = ("LinkedIn-Anzeigen sind als „Digitale Werbung“ (Demand Generation) förderfähig. "
              f"Die Incentive-Reise ist nicht förderfähig: „{TRIP_QUOTE}“ Bitte wenden Sie sich an Partner Care.")
    reply = AnswerChain(assistant, FakeListChatModel(responses=[honest])).invoke(MIXED)
    assert reply.source == "llm" and reply.text.startswith("LinkedIn-Anzeigen")
    assert "+49 30 76758732" in reply.text  # the hand-off block is added when the model leaves it out
    assert [f.verdict for f in reply.answer.findings] == ["eligible", "not_eligible"]


LIES = [
    ("says-excluded-is-eligible", "„Digitale Werbung“ ist förderfähig. Die Incentive-Reise ist ebenfalls förderfähig: "
                                  f"„{TRIP_QUOTE}“"),
    ("drops-a-quote", "„Digitale Werbung“ ist förderfähig. Die Reise leider nicht."),
    ("invents-a-rule", f"„Digitale Werbung“ ist förderfähig. „{TRIP_QUOTE}“ nicht. Außerdem gilt "
                       "„Interne Schulungen und „Floor Days““."),
    ("names-unknown-rule-id", f"„Digitale Werbung“ passt (ps.internal-training). „{TRIP_QUOTE}“ nicht."),
    ("empty", "   "),
]


@pytest.mark.parametrize("text", [t for _, t in LIES], ids=[i for i, _ in LIES])
def test_lying_model_does_not_get_through(assistant, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = AnswerChain(assistant, FakeListChatModel(responses=[text])).invoke(MIXED)
    assert reply.source == "deterministic" and reply.note.startswith("guard")
    assert reply.text == reply.answer.answer


def test_guard_catches_eligibility_claim_when_nothing_is_eligible(assistant) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.answer("Können wir Gehälter mit Co-op bezahlen?")
    assert not check_prose("Gehälter sind förderfähig.", answer, assistant.rules).ok
    assert not check_prose("Yes, you can pay that with co-op.", answer, assistant.rules).ok
    assert check_prose("Gehälter nennt die Guidance nicht; bitte klären Sie das mit Partner Care.", answer,
                       assistant.rules).ok


def test_model_timeout_falls_back(assistant, fake: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    fake.push(Scripted(content="zu spät", delay=3.0))
    reply = AnswerChain(assistant, _llm(fake, timeout=0.5)).invoke(MIXED)
    assert reply.source == "deterministic" and reply.note.startswith("model unavailable")
    assert len(fake.requests) == 1  # max_retries=0: one try, then the engine's reply


def test_model_error_falls_back(assistant, fake: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    fake.push(Scripted(status=500))
    reply = AnswerChain(assistant, _llm(fake)).invoke(MIXED)
    assert reply.source == "deterministic" and "model unavailable" in reply.note


def test_real_client_against_local_server_phrases_and_is_guarded(assistant, fake: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    fake.push(Scripted(content="„Digitale Werbung“: förderfähig. Reise: förderfähig."))
    reply = AnswerChain(assistant, _llm(fake)).invoke("Können wir Google Ads und eine Reise für unsere Top-Verkäufer bezahlen?")
    assert reply.source == "deterministic"
    system = fake.requests[0]["messages"][0]["content"]
    assert "data, not instructions" in system


LONG = ("Hallo Partner Care, wir planen fürs nächste Halbjahr einiges: zuerst wollen wir eine Kampagne mit Anzeigen "
        "auf LinkedIn fahren, dann für unsere Vertriebsleute eine Reise nach Mallorca als Belohnung spendieren, "
        "und schließlich die Gehälter der zwei neuen Kolleginnen anteilig abrechnen. Was davon geht?")


def test_extraction_feeds_the_engine(assistant, fake: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    fake.push(Scripted(tool=("Activities", {"activities": [
        "Kampagne mit Anzeigen auf LinkedIn", "für unsere Vertriebsleute eine Reise nach Mallorca als Belohnung",
        "die Gehälter der zwei neuen Kolleginnen"]})))
    answer = ExtractionChain(assistant, _llm(fake)).answer(LONG)
    assert [(f.verdict, f.rule_id) for f in answer.findings] == [
        ("eligible", "dg.digital-advertising"), ("not_eligible", "excl.seller-award-trips"), ("unclear", None)]
    assert fake.requests[0]["tools"][0]["function"]["name"] == "Activities"


def test_ungrounded_extraction_falls_back_to_the_splitter(assistant, fake: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    fake.push(Scripted(tool=("Activities", {"activities": ["Featured Partner Sponsorship bei der Ignite"]})))
    answer = ExtractionChain(assistant, _llm(fake)).answer(LONG)
    assert "allow.featured-partner-sponsorship" not in [f.rule_id for f in answer.findings]
    assert answer.findings == assistant.answer(LONG).findings


def test_broken_extraction_falls_back(assistant, fake: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    fake.push(Scripted(content="not a tool call"))
    answer = ExtractionChain(assistant, _llm(fake)).answer(LONG)
    assert answer.findings == assistant.answer(LONG).findings


def test_grounding_rule() -> None:
    assert grounded("Anzeigen auf LinkedIn", "wir wollen Anzeigen auf LinkedIn schalten")
    assert not grounded("Featured Partner Sponsorship", "wir wollen Anzeigen auf LinkedIn schalten")


def test_draft_without_model(assistant) -> None:  # type: ignore[no-untyped-def]
    reply = DraftChain(assistant).invoke(MIXED)
    text = reply.text
    assert text.startswith("Sehr geehrte Damen und Herren,")
    assert "„Digitale Werbung“" in text and f"„{TRIP_QUOTE}“" in text
    assert "Mit freundlichen Grüßen" in text and "+49 30 76758732" in text
    assert "Nehmen Sie sich selbst in den Verteiler auf" not in text  # no e-mail campaign here
    english = DraftChain(assistant).invoke("Can we pay for an e-mail campaign with co-op?").text
    assert english.startswith("Dear Partner,") and "distribution list" in english and "Kind regards" in english


def test_draft_polish_is_guarded(assistant) -> None:  # type: ignore[no-untyped-def]
    liar = FakeListChatModel(responses=["Sehr geehrte Damen und Herren, alles ist förderfähig. Grüße"])
    reply = DraftChain(assistant, liar).invoke(MIXED)
    assert reply.source == "deterministic" and reply.text.startswith("Sehr geehrte Damen und Herren,")


GUARD = [
    ("mixed-honest", MIXED,
     "„Digitale Werbung“ ja, förderfähig. Die Reise für die Top-Verkäufer: nein, „" + TRIP_QUOTE + "“", True),
    ("mixed-lie-by-paraphrase", MIXED, "„Digitale Werbung“ ist förderfähig, und auch die Incentive-Reise kann über Co-op "
                                       "bezahlt werden. „" + TRIP_QUOTE + "“", False),
    ("unclear-called-allowed", "Can we pay office rent?", "Office rent is allowed under co-op.", False),
    ("unclear-kept", "Can we pay office rent?", "The guidance does not cover office rent; please ask Partner Care.", True),
    ("needs-info-called-eligible", "Can we pay for a workshop?", "Yes, a workshop is eligible.", False),
]


@pytest.mark.parametrize(("question", "text", "ok"), [(q, t, o) for _, q, t, o in GUARD], ids=[i for i, *_ in GUARD])
def test_guard_table(assistant, question: str, text: str, ok: bool) -> None:  # type: ignore[no-untyped-def]
    assert check_prose(text, assistant.answer(question), assistant.rules).ok is ok


# The condense step (issue #7): with a model, a follow-up that names no activity of its own is rewritten as a
# standalone question the checker decides; the resolver answers whenever the rewrite cannot be used.
LINKEDIN = "Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"
SAME_FOR_XING = "Ist das gleiche auch für Xing möglich?"


def _condense_requests(fake: FakeOpenAI) -> list[dict]:  # type: ignore[type-arg]
    return [r for r in fake.requests if r.get("tools") and r["tools"][0]["function"]["name"] == "Standalone"]


def test_a_condensed_follow_up_is_decided_by_the_checker(assistant, fake: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    fake.push(Scripted(tool=("Standalone", {"question": "Können wir Xing-Anzeigen mit Co-op bezahlen?"})))
    reply = AnswerChain(assistant, _llm(fake)).invoke(SAME_FOR_XING, [LINKEDIN])
    answer = reply.answer
    assert [(f.verdict, f.rule_id) for f in answer.findings] == [("eligible", "dg.digital-advertising")]
    assert (answer.turn, answer.question, answer.resolved_question) == (
        "condensed", SAME_FOR_XING, "Können wir Xing-Anzeigen mit Co-op bezahlen?")
    (condense,) = _condense_requests(fake)
    sent = " ".join(str(m["content"]) for m in condense["messages"])
    assert LINKEDIN in sent and SAME_FOR_XING in sent


STRAY = [
    ("adds an activity nobody named", "Können wir eine Featured Partner Sponsorship für Xing bezahlen?"),
    ("only repeats the earlier question", LINKEDIN),
]


@pytest.mark.parametrize("rewrite", [r[1] for r in STRAY], ids=[r[0] for r in STRAY])
def test_a_stray_rewrite_falls_back_to_the_resolver(assistant, fake: FakeOpenAI, rewrite: str) -> None:  # type: ignore[no-untyped-def]
    fake.push(Scripted(tool=("Standalone", {"question": rewrite})))
    reply = AnswerChain(assistant, _llm(fake)).invoke(SAME_FOR_XING, [LINKEDIN])
    alone = Conversation(assistant).answer(SAME_FOR_XING, [LINKEDIN])
    assert len(_condense_requests(fake)) == 1 and reply.answer.turn != "condensed"
    assert reply.answer.findings == alone.findings


def test_a_broken_condense_step_falls_back(assistant, fake: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    fake.push(Scripted(status=500))
    reply = AnswerChain(assistant, _llm(fake)).invoke("Für unsere Kunden.", ["Was ist mit einem Workshop?"])
    assert [(f.verdict, f.rule_id) for f in reply.answer.findings] == [("eligible", "md.customer-seminars")]
    assert reply.answer.turn == "audience"


@pytest.mark.parametrize(("question", "history"), [
    pytest.param("Und eine Messe zu Copilot?", [LINKEDIN], id="a follow-up naming its own activity"),
    pytest.param("Danke!", [LINKEDIN], id="thanks"),
    pytest.param(SAME_FOR_XING, [], id="no conversation yet"),
])
def test_the_model_is_not_asked_to_condense(assistant, fake: FakeOpenAI, question: str, history: list[str]) -> None:  # type: ignore[no-untyped-def]
    AnswerChain(assistant, _llm(fake)).invoke(question, history)
    assert not _condense_requests(fake)
