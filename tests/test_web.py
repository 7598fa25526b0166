"""Web edges without a browser: the JSON API, the SQLite schema with Chainlit's data layer, UI helpers, auth."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant import service
from assistant.web.auth import check_staff, hash_password, verify_password
from assistant.web.offline_html import strip_external_links
from assistant.web.persistence import run_apart
from assistant.web.persistence import upgrade as upgrade_schema
from assistant.web.ui import handoff_message, mailto, source_elements, ui_language


@pytest.fixture()
def client(assistant, monkeypatch: pytest.MonkeyPatch) -> TestClient:  # type: ignore[no-untyped-def]
    from assistant.web.api import make_router
    from assistant.web.tokens import TokenGate, hash_token

    monkeypatch.setattr(service, "_assistant", assistant)
    app = FastAPI()
    app.include_router(make_router(TokenGate({"tests": hash_token("coop_test-token")}, [], "1000/minute")))
    return TestClient(app, headers={"Authorization": "Bearer coop_test-token"})


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_api_other_methods_get_405_with_usage(client: TestClient, method: str) -> None:
    """Session 22 (a new user's trial): GET /api/check answered with the chat page; any method but POST is told to POST."""
    r = client.request(method, "/api/check")
    assert r.status_code == 405 and r.headers["allow"] == "POST" and "Use POST" in r.json()["error"]


def test_api_answers_per_contract(client: TestClient) -> None:
    r = client.post("/api/check", json={"question": "Können wir LinkedIn-Anzeigen bezahlen?", "id": "crm-1"})
    assert r.status_code == 200
    data = r.json()
    assert data["id"] == "crm-1" and data["findings"][0]["rule_id"] == "dg.digital-advertising"
    assert {"question", "language", "findings", "sources", "answer", "handoff"} <= set(data)
    # a number as id is echoed as text, as in batch mode (a new user's trial got 422; session 19)
    assert client.post("/api/check", json={"question": "SEO?", "id": 5}).json()["id"] == "5"


BAD_BODIES = [
    ("not-json", b"question=hi", 400, "not valid JSON"),
    ("no-question", b'{"q": "hi"}', 422, "question: Field required"),
    ("wrong-type", b'{"question": 42}', 422, "question"),
    ("an-object-as-id", b'{"question": "SEO?", "id": {"a": 1}}', 422, "id"),
    ("a-list", b'["hi"]', 422, "Invalid request"),
    ("empty-question", b'{"question": "  "}', 422, "empty"),
    ("too-big", b'{"question": "' + b"x" * 300_000 + b'"}', 413, "limit"),
]


@pytest.mark.parametrize(("body", "status", "needle"), [(b, s, n) for _, b, s, n in BAD_BODIES],
                         ids=[i for i, *_ in BAD_BODIES])
def test_api_rejects_bad_bodies_with_4xx(client: TestClient, body: bytes, status: int, needle: str) -> None:
    r = client.post("/api/check", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status
    assert needle in r.json()["error"]


def test_schema_takes_every_row_chainlit_writes(tmp_path: Path) -> None:
    """Rows must arrive: a missing column only logs a warning in Chainlit and drops the row."""
    from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
    from chainlit.step import StepDict
    from chainlit.types import Feedback
    from chainlit.user import User

    url = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    upgrade_schema(url)
    upgrade_schema(url)  # idempotent
    layer = SQLAlchemyDataLayer(conninfo=url)
    thread_id, step_id = str(uuid.uuid4()), str(uuid.uuid4())

    async def write() -> None:
        from chainlit.context import init_http_context

        init_http_context(thread_id=thread_id)  # an HTTP context: the data layer writes at once
        user = await layer.create_user(User(identifier="guest-1", metadata={"role": "partner"}))
        assert user is not None
        await layer.update_thread(thread_id, name="Messestand?", user_id=user.id, metadata={"chat_profile": "Partner"})
        step: StepDict = {"id": step_id, "threadId": thread_id, "name": "Assistant", "type": "assistant_message",
                          "output": "✅ förderfähig", "streaming": False, "createdAt": "2026-11-29T10:00:00Z",
                          "start": "2026-11-29T10:00:00Z", "end": "2026-11-29T10:00:01Z", "metadata": {},
                          "showInput": False, "language": None}
        await layer.create_step(step)
        await layer.upsert_feedback(Feedback(forId=step_id, threadId=thread_id, value=1, comment="hilfreich"))
        await layer.engine.dispose()

    # in a thread of its own: a session-wide Playwright browser keeps an event loop running in this one
    run_apart(asyncio.run, write())
    with sqlite3.connect(tmp_path / "chat.db") as db:
        assert db.execute('SELECT "identifier" FROM users').fetchall() == [("guest-1",)]
        assert db.execute('SELECT "name" FROM threads').fetchall() == [("Messestand?",)]
        assert db.execute('SELECT "output" FROM steps').fetchall() == [("✅ förderfähig",)]
        assert db.execute('SELECT "value", "comment" FROM feedbacks').fetchall() == [(1, "hilfreich")]


def test_mailto_summarises_question_and_findings(assistant) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.answer("Können wir LinkedIn-Anzeigen und eine Incentive-Reise für Top-Verkäufer bezahlen?")
    link = urlparse(mailto(answer))
    assert link.scheme == "mailto" and link.path == "support@partnercare.de"
    body = unquote(parse_qs(link.query)["body"][0])
    assert "LinkedIn-Anzeigen: förderfähig" in body and "nicht förderfähig" in body and "excl.seller-award-trips" in body
    message = handoff_message(answer)
    assert "+49 30 76758732" in message and "(mailto:support@partnercare.de?subject=" in message
    assert "Incentive-Reise" in message  # the open item is listed


def test_source_elements_carry_the_german_text_and_english_rendering(assistant) -> None:  # type: ignore[no-untyped-def]
    en = source_elements(assistant.answer("Can we pay for LinkedIn ads?"))
    assert en[0].name.startswith("Source 1: ") and "Digitale Werbung" in en[0].content and "Digital advertising" in en[0].content
    de = source_elements(assistant.answer("Können wir LinkedIn-Anzeigen bezahlen?"))
    assert de[0].name.startswith("Quelle 1: ") and "English rendering" not in de[0].content


def test_ui_language_follows_the_browser() -> None:
    assert [ui_language(x) for x in ("de-DE", "de", "en-US", "fr-FR", None)] == ["de", "de", "en", "en", "de"]


def test_passwords_are_hashed_and_checked() -> None:
    stored = hash_password("s3cret!")
    assert "s3cret!" not in stored and stored.startswith("pbkdf2_sha256$")
    assert verify_password("s3cret!", stored) and not verify_password("wrong", stored)
    assert not verify_password("s3cret!", "garbage")
    assert check_staff({"anna": stored}, "anna", "s3cret!")
    assert not check_staff({"anna": stored}, "bob", "s3cret!")


def test_page_links_to_other_hosts_are_removed() -> None:
    html = ('<link rel="preconnect" href="https://fonts.googleapis.com" />\n'
            '<link\n  rel="stylesheet"\n  href="https://cdn.jsdelivr.net/npm/katex.min.css"\n/>\n'
            '<link rel="stylesheet" crossorigin href="/assets/index.css">')
    assert strip_external_links(html).strip() == '<link rel="stylesheet" crossorigin href="/assets/index.css">'


def test_web_server_refuses_to_start_with_a_broken_rules_file(tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    from assistant.config import Settings

    rules = tmp_path / "rules"
    shutil.copytree(Settings().rules_dir, rules)
    path = rules / "demand_generation.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('source_quote: "Printanzeigen"',
                                                             'source_quote: "Radiowerbung"'), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {
        "COOP_RULES_DIR": str(rules), "COOP_DATA_DIR": str(tmp_path / "data")}
    chainlit = Path(sys.executable).parent / "chainlit"
    done = subprocess.run([str(chainlit), "run", "assistant/app.py", "--headless", "--port", "1"], env=env,
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "demand_generation.yaml" in done.stderr + done.stdout and "dg.print-ads" in done.stderr + done.stdout


def test_api_reads_the_question_in_its_history(client: TestClient) -> None:
    r = client.post("/api/check", json={"question": "Und Xing?", "history": ["Können wir LinkedIn-Anzeigen bezahlen?"]})
    assert r.status_code == 200
    assert [f["rule_id"] for f in r.json()["findings"]] == ["dg.digital-advertising"]
    assert client.post("/api/check", json={"question": "Und Xing?", "history": "LinkedIn"}).status_code == 422
    # a message of the history over the question limit is refused with a message, not silently left out
    r = client.post("/api/check", json={"question": "Und Xing?", "history": ["LinkedIn-Anzeigen?", "x" * 4001]})
    assert r.status_code == 422 and "History message 2" in r.json()["error"]


def test_handoff_mail_summarises_the_conversation_and_panel_shows_the_basis(assistant) -> None:  # type: ignore[no-untyped-def]
    first = assistant.answer("Können wir LinkedIn-Anzeigen bezahlen?")
    later = assistant.answer("Ist ein Workshop Co-op-fähig?")
    body = unquote(parse_qs(urlparse(mailto(later, [first])).query)["body"][0])
    assert "LinkedIn-Anzeigen" in body and "Workshop" in body
    names = [e.name for e in source_elements(later)]
    assert len(later.sources) >= 3 and all("Mehr Informationen" not in n and "Alles über" not in n for n in names)
    assert any("Market Development" in n for n in names) and any("Partner Skilling" in n for n in names)


def test_handoff_mail_gives_the_conversation_as_it_stands(assistant) -> None:  # type: ignore[no-untyped-def]
    """An answered clarifying question is no open item, an activity asked twice is listed once, and thanks at the end
    leave the last real question in the mail (a new-user trial found all three)."""
    from assistant.dialogue.resolver import Conversation

    conversation = Conversation(assistant)
    turns = ["Können wir LinkedIn-Anzeigen bezahlen?", "Was ist mit einem Workshop?", "Für unsere Kunden.",
             "Können wir LinkedIn-Anzeigen bezahlen?", "Danke!"]
    answers = [conversation.answer(t, turns[:n]) for n, t in enumerate(turns)]
    assert [a.turn for a in answers] == ["new", "new", "audience", "new", "social"]
    body = unquote(parse_qs(urlparse(mailto(answers[-1], answers[:-1])).query)["body"][0])
    listed = [line for line in body.splitlines() if line.startswith("- ")]
    assert [line.rsplit("[", 1)[-1] for line in listed] == ["md.customer-seminars]", "dg.digital-advertising]"], body
    assert "Rückfrage" not in body and "keine Aktivität" not in body and "Danke" not in body, body
    assert body.splitlines()[1:4] == ["1. Können wir LinkedIn-Anzeigen bezahlen?", "2. Was ist mit einem Workshop?",
                                      "3. Für unsere Kunden."], body


def test_handoff_mail_drops_what_a_corrected_audience_replaced(assistant) -> None:  # type: ignore[no-untyped-def]
    """Session 12, from a new user's trial: after a corrected audience the mail listed the training twice, once for
    each audience, and gave only the correction as the question."""
    from assistant.dialogue.resolver import Conversation

    conversation = Conversation(assistant)
    turns = ["Können wir Google-Anzeigen bezahlen?", "Und für eine Schulung zu Azure?",
             "Die ist nur für unsere eigenen Techniker gedacht.", "Ach nein, da kommen doch unsere Kunden hin."]
    answers = [conversation.answer(t, turns[:n]) for n, t in enumerate(turns)]
    assert [a.turn for a in answers][2:] == ["audience", "audience"]
    body = unquote(parse_qs(urlparse(mailto(answers[-1], answers[:-1])).query)["body"][0])
    listed = [line for line in body.splitlines() if line.startswith("- ")]
    assert [line.rsplit("[", 1)[-1] for line in listed] == ["dg.digital-advertising]", "md.customer-seminars]"], body
    assert "1. Können wir Google-Anzeigen bezahlen?" in body and "4. Ach nein" in body


def test_handoff_mail_from_the_answers_the_chat_keeps(assistant) -> None:  # type: ignore[no-untyped-def]
    """Session 14, from a new user's trial: the chat kept each answer without its turn, so the mail still listed a
    clarifying question the partner had answered two turns before. The mail is built from what the chat keeps
    (`STORED_FIELDS`), and the answer names the activity it decides again (`supersedes`)."""
    from assistant.dialogue.resolver import Conversation
    from assistant.models import Answer
    from assistant.web.ui import STORED_FIELDS

    conversation = Conversation(assistant)
    turns = ["Können wir LinkedIn-Anzeigen und eine Azure-Schulung bezahlen?",
             "Die ist für unsere eigenen Vertriebler gedacht.", "Welche Nachweise brauche ich dafür?"]
    answers = [conversation.answer(t, turns[:n]) for n, t in enumerate(turns)]
    assert [f.verdict for f in answers[0].findings] == ["eligible", "needs_info"]
    assert answers[1].turn == "audience" and answers[1].supersedes == [answers[0].findings[1].activity]
    kept = [Answer.model_validate(a.model_dump(mode="json", include=set(STORED_FIELDS))) for a in answers[:-1]]
    body = unquote(parse_qs(urlparse(mailto(answers[-1], kept)).query)["body"][0])
    listed = [line for line in body.splitlines() if line.startswith("- ")]
    assert [line.rsplit("[", 1)[-1] for line in listed] == ["dg.digital-advertising]", "ps.internal-training]"], body
    assert "Rückfrage" not in body, body


@pytest.mark.parametrize(("question", "wanted", "unwanted"), [
    ("🤔", [], ["Mehr Informationen", "Alles über"]),  # nothing to rest on: no sources at all
    ("Können wir die Trikots des Fußballvereins unseres Chefs über Co-op zahlen?", None,
     ["Mehr Informationen", "Alles über"]),  # no rule decides it: the nearest passages, not the general ones
    ("Welche Nachweise brauche ich für eine E-Mail-Kampagne?", ["Tipp 2"], ["Mehr Informationen"]),
    ("Wie erreiche ich Partner Care?", ["Mehr Informationen"], []),  # a topic asks for the contact box
])
def test_panel_shows_what_the_answer_rests_on(assistant, question: str, wanted: list[str] | None,  # type: ignore[no-untyped-def]
                                              unwanted: list[str]) -> None:
    """Issue #7 (sources), from a new-user trial: the general sections only when a topic asks for them."""
    names = [e.name for e in source_elements(assistant.answer(question))]
    if wanted is None:
        assert names
    else:
        assert [w for w in wanted if not any(w in n for n in names)] == [] and (wanted or names == [])
    assert not any(u in n for u in unwanted for n in names), names
