"""Issue #8 against a running server: the thread-id injection, other guests' threads and files, big messages,
security headers under a real browser, and one server's shutdown leaving the other's files alone.

Every test here runs against the SQLite server and against the PostgreSQL server (the `server` fixture).
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import socketio
from playwright.sync_api import expect

from assistant.web.guest import GuestSocket, guest_cookie, http

from .conftest import Server, start_server
from .test_browser import poll, send

INJECTION = ("x') UNION SELECT s.\"id\", (SELECT t2.\"id\" FROM threads t2 LIMIT 1), 'text', NULL, NULL, NULL, "
             "s.\"output\", 'inline', NULL, NULL, NULL, NULL, NULL, NULL FROM steps s --")
SECRET = "Geheimprojekt Falkenstein: Können wir einen Messestand auf der it-sa mit Co-op bezahlen?"


def _attack(srv: Server) -> None:
    """Guest A chats; guest B tries to read A's conversation by id, by URL and by injection."""
    cookie_a, cookie_b = guest_cookie(srv.url), guest_cookie(srv.url)
    a = GuestSocket(srv.url, cookie_a)
    try:
        assert "förderfähig" in a.ask(SECRET)
    finally:
        a.close()
    def stored() -> list[dict[str, Any]]:  # the owner reads it, once the thread and the answer's passages are written
        status, body = http("GET", f"{srv.url}/project/thread/{a.thread_id}", cookie_a)
        assert status in (200, 404), status  # 404 until the thread is stored, never an error
        return list(json.loads(body)["elements"]) if status == 200 and "Falkenstein" in body.decode() else []

    elements = poll(stored, 20, "the answer's source passages in the stored thread")
    file_url = srv.url + elements[0]["url"]
    assert http("GET", file_url, cookie_a)[0] == 200

    # by id and by URL
    assert http("GET", f"{srv.url}/project/thread/{a.thread_id}", cookie_b)[0] in (401, 403, 404)
    assert http("GET", file_url, cookie_b)[0] == 404
    assert http("GET", file_url)[0] == 401
    # by injection: the socket refuses the thread id, the HTTP routes refuse it in path and body
    with pytest.raises(socketio.exceptions.ConnectionError):
        GuestSocket(srv.url, cookie_b, thread_id=INJECTION)
    status, body = http("GET", f"{srv.url}/project/thread/{quote(INJECTION, safe='')}", cookie_b)
    assert status == 400 and b"Falkenstein" not in body
    page = json.dumps({"pagination": {"first": 20, "cursor": INJECTION}, "filter": {}}).encode()
    status, body = http("POST", f"{srv.url}/project/threads", cookie_b, page)
    assert status == 400 and b"Falkenstein" not in body
    status, body = http("POST", f"{srv.url}/project/threads", cookie_b,
                        json.dumps({"pagination": {"first": 20}, "filter": {}}).encode())
    assert status == 200 and b"Falkenstein" not in body  # B's own list holds nothing of A
    feedback = {"sessionId": str(uuid.uuid4()), "feedback": {"forId": elements[0]["forId"], "threadId": a.thread_id,
                                                             "value": 0, "comment": "von B"}}
    assert http("PUT", f"{srv.url}/feedback", cookie_b, json.dumps(feedback).encode())[0] == 403


@pytest.mark.browser
def test_guest_b_cannot_read_guest_a(server: Server) -> None:
    _attack(server)  # on the SQLite and on the PostgreSQL server (the `server` fixture's two parameters)


@pytest.mark.browser
def test_api_without_token_is_401(server: Server) -> None:
    status, body = http("POST", f"{server.url}/api/check", body=b'{"question": "Messestand?"}')
    assert status == 401 and b"create-token" in body
    # session 22: GET is refused by the API, not answered with the chat page by Chainlit's catch-all route
    status, body = http("GET", f"{server.url}/api/check")
    assert status == 405 and b"Use POST" in body


@pytest.mark.browser
@pytest.mark.parametrize("size", [100_000, 1_500_000], ids=["100kB", "1.5MB"])
def test_an_oversized_socket_message_gets_the_limit_reply_in_german(server: Server, size: int) -> None:
    chat = GuestSocket(server.url, guest_cookie(server.url), language="de-DE")
    try:
        reply = chat.ask("Messestand? " + "x" * size)
    finally:
        chat.close()
    assert "länger als die 4.000 Zeichen" in reply and "+49 30 76758732" in reply


@pytest.mark.browser
def test_long_message_in_the_german_ui_under_the_security_headers(server: Server, new_chat) -> None:
    """The page's script cuts a long message, the server answers in German; no CSP violation on the way."""
    chat = new_chat("de-DE", server.url)
    violations: list[str] = []
    chat.page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    response = chat.page.goto(server.url + "/")
    assert response is not None
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    expect(chat.page.locator("#chat-input")).to_be_enabled()
    send(chat.page, "Messestand? " + "y" * 20_000)
    answer = chat.page.locator('[data-step-type="assistant_message"]').last
    # the page's script cut it before sending: the reply names the limit, no size the server cannot know
    expect(answer).to_contain_text("länger als die 4.000 Zeichen", timeout=30_000)
    expect(answer).not_to_contain_text("4.001")
    # Chainlit moves the page to /thread/<id> once the thread is stored; a message sent in that instant is lost (seen
    # on the PostgreSQL server of a clean-clone run). A user sees the address change before typing on.
    expect(chat.page).to_have_url(re.compile(r"/thread/[0-9a-f-]{36}$"), timeout=30_000)
    send(chat.page, "Können wir LinkedIn-Anzeigen mit Co-op bezahlen?")
    expect(chat.page.locator('[data-step-type="assistant_message"]').last).to_contain_text("Digitale Werbung",
                                                                                            timeout=30_000)
    assert violations == [], violations


@pytest.mark.browser
def test_stopping_one_server_leaves_the_other_servers_files(server: Server, tmp_path: Path) -> None:
    other = start_server(tmp_path / "data", tmp_path / "other.log", "second server on the same checkout")
    other.stop()
    sessions = server.data_dir / "sessions"
    assert sessions.is_dir() and any(sessions.iterdir()), "the running server's session folder is gone"
    assert not (tmp_path / "data" / "sessions" / str(other.proc.pid if other.proc else 0)).exists()
    chat = GuestSocket(server.url, guest_cookie(server.url))
    try:
        reply = chat.ask("Können wir LinkedIn-Anzeigen mit Co-op bezahlen?")
    finally:
        chat.close()
    assert "Digitale Werbung" in reply and not re.search(r"No such file|konnte gerade nicht", reply)


SOCKET_FUZZ_CASES = 16


@pytest.mark.browser
def test_socket_messages_of_any_size_and_encoding_get_a_reply(server: Server) -> None:
    """A bounded fuzz pass (fixed seed): 1 to 250,000 characters (up to ~3 MB as JSON-escaped frames, under the
    4 MB socket limit; larger ones from the page are cut by its script), emoji, RTL, NUL, lone surrogates."""
    import random

    rng = random.Random(8)
    alphabet = ["a", "ß", "€", "🚀", "\u202e", "\u0000", "\ud800", "ש", "\n", " ", "'", '"', "<", "\\"]
    chat = GuestSocket(server.url, guest_cookie(server.url), language="en-US")
    replies = 0
    try:
        for n in range(SOCKET_FUZZ_CASES):
            size = rng.choice([1, 7, 300, 3999, 4001, 50_000, 250_000])
            text = "".join(rng.choice(alphabet) for _ in range(min(size, 2000)))
            text = (text * (size // max(len(text), 1) + 1))[:size]
            reply = chat.ask(text, timeout=60)
            assert reply, f"case {n}: empty reply"
            replies += 1
    finally:
        chat.close()
    assert replies == SOCKET_FUZZ_CASES
