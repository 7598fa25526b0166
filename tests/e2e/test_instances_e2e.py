"""Issue #10: two app instances on one PostgreSQL database and one Chroma server, sharing the JWT secret and the files
folder as a deployment would (settings, not the checkout). Each instance is reached directly on its own port: behind
a load balancer socket.io needs sticky routing (see the README, "Run on several machines").
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from assistant.loadrun import load
from assistant.web.guest import GuestSocket, guest_cookie, http
from assistant.web.persistence import run_apart
from tests.chroma_server import ChromaServer

from .conftest import ARTIFACTS, PROJECT_ROOT, Server, server_env, start_server
from .test_browser import ANSWERS, open_chat, poll, reopen_and_ask, send


class Deployment:
    def __init__(self, a: Server, b: Server, chroma: ChromaServer, database_url: str, env: dict[str, str]) -> None:
        self.a, self.b, self.chroma, self.database_url, self.env = a, b, chroma, database_url, env

    def sql(self, statement: str, **params: Any) -> list[tuple[Any, ...]]:
        from sqlalchemy import pool, text
        from sqlalchemy.ext.asyncio import create_async_engine

        async def run() -> list[tuple[Any, ...]]:
            engine = create_async_engine(self.database_url, poolclass=pool.NullPool)
            try:
                async with engine.connect() as conn:
                    return [tuple(r) for r in (await conn.execute(text(statement), params)).fetchall()]
            finally:
                await engine.dispose()

        # in a thread of its own: the browser tests' Playwright keeps an event loop in this one
        return run_apart(asyncio.run, run())


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, postgres: Any) -> Iterator[Deployment]:
    base = tmp_path_factory.mktemp("e2e-two-instances")
    try:
        chroma = ChromaServer(base / "chroma").start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    url = postgres.create_database("e2e_instances")
    shared = {"COOP_DATABASE_URL": url, **chroma.env(), "COOP_AUTH_SECRET": secrets.token_urlsafe(48),
              "COOP_FILES_ROOT": str(base / "files")}
    servers: list[Server] = []
    try:
        # A builds the index in the Chroma server; B, started after it, finds it complete
        servers.append(start_server(base / "a", base / "a.log", "instance A (PostgreSQL, Chroma server)", shared))
        servers.append(start_server(base / "b", base / "b.log", "instance B (same PostgreSQL and Chroma)", shared))
        yield Deployment(servers[0], servers[1], chroma, url, shared)
    finally:
        for srv in servers:
            srv.stop()
        chroma.stop()


def _own_data_only(deployment: Deployment) -> None:
    for srv in (deployment.a, deployment.b):
        assert not (srv.data_dir / "chroma").exists(), "an instance wrote an embedded index"
        assert not (srv.data_dir / "chainlit.db").exists(), "an instance wrote a SQLite chat history"


@pytest.mark.browser
def test_a_conversation_started_on_a_is_listed_reopened_and_continued_on_b(deployment: Deployment,  # type: ignore[no-untyped-def]
                                                                             new_chat) -> None:
    chat = new_chat("de-DE", deployment.a.url)
    page = open_chat(chat)
    answers = page.locator(ANSWERS)
    send(page, "Können wir LinkedIn-Anzeigen mit Co-op bezahlen?")
    expect(answers).to_have_count(1, timeout=30_000)
    expect(answers.nth(0)).to_contain_text("förderfähig · Demand Generation")
    expect(page).to_have_url(re.compile(r"/thread/[0-9a-f-]{36}$"), timeout=30_000)  # the thread is stored

    # the same browser on instance B (one cookie for 127.0.0.1, signed with the shared secret): the thread is listed
    answer = reopen_and_ask(page, deployment.b.url, "Können wir LinkedIn-Anzeigen", "förderfähig · Demand Generation",
                            "Und Xing?")  # B rebuilds the dialogue state from the stored thread
    expect(answer).to_contain_text("förderfähig · Demand Generation")
    expect(answer).not_to_contain_text("unklar")
    _own_data_only(deployment)


def test_passages_and_feedback_written_on_one_instance_are_read_on_the_other(deployment: Deployment) -> None:
    a, b = deployment.a, deployment.b
    cookie = guest_cookie(a.url)
    guest = GuestSocket(a.url, cookie)
    try:
        assert "förderfähig" in guest.ask("Können wir einen Messestand auf der it-sa mit Co-op bezahlen?")
        answer_id = str(guest.messages[0]["id"])
    finally:
        guest.close()

    def stored_on_b() -> list[dict[str, Any]]:
        status, body = http("GET", f"{b.url}/project/thread/{guest.thread_id}", cookie)
        assert status in (200, 404), status
        return list(json.loads(body)["elements"]) if status == 200 and b"it-sa" in body else []

    elements = poll(stored_on_b, 30, "A's thread with its source passages, read through B")
    assert http("GET", b.url + elements[0]["url"], cookie)[0] == 200  # the passage file A stored, served by B
    feedback = {"sessionId": str(uuid.uuid4()),
                "feedback": {"forId": answer_id, "threadId": guest.thread_id, "value": 1, "comment": "über B"}}
    assert http("PUT", f"{b.url}/feedback", cookie, json.dumps(feedback).encode())[0] == 200
    rows = deployment.sql('SELECT "value", "comment" FROM feedbacks WHERE "forId" = :id', id=answer_id)
    assert rows == [(1, "über B")]
    status, body = http("GET", f"{a.url}/project/thread/{guest.thread_id}", cookie)
    assert status == 200 and "über B" in body.decode()  # A reads B's feedback


def test_an_ingest_on_one_side_is_used_by_both_instances_without_a_restart(deployment: Deployment,  # type: ignore[no-untyped-def]
                                                                         tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.HttpClient(host="127.0.0.1", port=deployment.chroma.port,
                                 settings=ChromaSettings(anonymized_telemetry=False))
    (name,) = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    before = client.get_collection(name).id
    env = server_env(tmp_path / "ingest") | deployment.env
    done = subprocess.run([str(PROJECT_ROOT / ".venv/bin/coop-assistant"), "ingest", "--rebuild"], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "index rebuilt" in done.stderr and name in done.stderr
    assert client.get_collection(name).id != before  # a new collection under the same name
    for srv in (deployment.a, deployment.b):  # both instances had the old one open
        cookie = guest_cookie(srv.url)
        guest = GuestSocket(srv.url, cookie)
        try:
            reply = guest.ask("Wie lange wird das Co-op-Budget aufgebaut?")
        finally:
            guest.close()
        assert "Die Antwort konnte gerade nicht erstellt werden" not in reply and "Co-op" in reply
    assert [c if isinstance(c, str) else c.name for c in client.list_collections()] == [name]


def test_50_sessions_split_across_both_instances_all_answered_alike(deployment: Deployment) -> None:
    import time

    result = load([deployment.a.url, deployment.b.url], sessions=50, questions=3, deadline=time.monotonic() + 300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "instances-load.txt").write_text("\n".join(result.report()) + "\n", encoding="utf-8")
    assert result.errors == []
    assert result.answers == 150
    # nothing lost on the way to the database: every passage file the instances stored has its element row
    files = Path(deployment.env["COOP_FILES_ROOT"])

    def stored() -> tuple[int, int] | None:
        counts = (sum(1 for f in files.rglob("*") if f.is_file()), deployment.sql("SELECT count(*) FROM elements")[0][0])
        return counts if counts[0] == counts[1] else None

    poll(stored, 30, "an element row for every stored passage file")
    assert result.mismatches == 0  # B answers every question as A does, nothing mixed between sessions
