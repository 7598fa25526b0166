"""Issue #8 without a server: ids, the data layer's bound queries (SQLite and PostgreSQL), access, files, API tokens."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from assistant.web.ids import InvalidIdError, bad_ids, is_uuid
from assistant.web.persistence import run_apart
from assistant.web.persistence import upgrade as upgrade_schema

SECRET = "test-jwt-secret-" + "x" * 40


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """asyncio.run in its own thread (a session-wide Playwright browser may keep a loop running in this one)."""
    return run_apart(asyncio.run, coro)


def injection(owner: str = "guest-b") -> str:
    """The exploit shape of the report: a thread id that closes the quote of the `IN ('…')` list and appends a
    UNION over steps, so every step's output comes back as an element of the attacker's own thread."""
    me = f"(SELECT t2.\"id\" FROM threads t2 WHERE t2.\"userIdentifier\" = '{owner}' LIMIT 1)"
    return (f"x') UNION SELECT s.\"id\", {me}, 'text', NULL, NULL, NULL, s.\"output\", 'inline', NULL, NULL, NULL, "
            "NULL, NULL, NULL FROM steps s --")


ID_ROWS = [
    ("uuid4", str(uuid.uuid4()), True),
    ("upper-case", str(uuid.uuid4()).upper(), True),
    ("no-hyphens", uuid.uuid4().hex, False),
    ("quote", "abc'", False),
    ("injection", injection(), False),
    ("empty", "", False),
    ("int", 5, False),
]


@pytest.mark.parametrize(("value", "ok"), [(v, ok) for _, v, ok in ID_ROWS], ids=[i for i, *_ in ID_ROWS])
def test_ids_are_canonical_uuids(value: object, ok: bool) -> None:
    assert is_uuid(value) is ok


def test_bad_ids_finds_every_id_key_but_not_free_payloads() -> None:
    good = str(uuid.uuid4())
    body = {"feedback": {"forId": good, "threadId": "t'--", "id": None},
            "pagination": {"cursor": "1 OR 1=1"}, "action": {"id": good, "payload": {"id": "crm-17"}}}
    assert sorted(bad_ids(body)) == ["feedback.threadId", "pagination.cursor"]


# -- the data layer on both databases ------------------------------------------------------------------------
def _layer(url: str, cls: type, **kwargs: Any) -> Any:
    upgrade_schema(url)
    return cls(conninfo=url, **kwargs) if cls.__name__ == "SQLAlchemyDataLayer" else cls(url, **kwargs)


async def _seed(layer: Any) -> dict[str, str]:
    """Guest A with a private thread and step; guest B with an (upstream-accepted) thread named by the exploit."""
    from chainlit.context import init_http_context
    from chainlit.user import User

    init_http_context()
    a = await layer.create_user(User(identifier="guest-a", metadata={"role": "partner"}))
    b = await layer.create_user(User(identifier="guest-b", metadata={"role": "partner"}))
    thread_a, step_a = str(uuid.uuid4()), str(uuid.uuid4())
    await layer.execute_sql('INSERT INTO threads ("id", "name", "userId", "userIdentifier", "metadata") '
                            "VALUES (:id, 'A', :uid, 'guest-a', '{}')", {"id": thread_a, "uid": a.id})
    await layer.execute_sql('INSERT INTO steps ("id", "name", "type", "threadId", "streaming", "output", "createdAt") '
                            "VALUES (:id, 'User', 'user_message', :tid, false, 'SECRET OF A', '2026-11-29T10:00:00Z')",
                            {"id": step_a, "tid": thread_a})
    # what today's main lets a guest create: a thread whose id is the injection (bound values, so it is stored)
    bad = injection()
    await layer.execute_sql('INSERT INTO threads ("id", "name", "userId", "userIdentifier", "metadata") '
                            "VALUES (:id, 'B', :uid, 'guest-b', '{}')", {"id": bad, "uid": b.id})
    return {"a": a.id, "b": b.id, "thread_a": thread_a, "step_a": step_a, "bad": bad}


def _outputs(threads: list[dict[str, Any]] | None) -> list[str]:
    """Everything a reader of these threads sees: step outputs and element names."""
    return [str(s.get("output")) for t in threads or [] for s in t["steps"]] + \
        [str(e.get("name")) for t in threads or [] for e in t.get("elements") or []]


def test_upstream_layer_leaks_through_the_thread_id(db_url: str) -> None:
    """The exploit is real on Chainlit 2.12's layer: guest B's thread id pulls guest A's messages."""
    from chainlit.data.sql_alchemy import SQLAlchemyDataLayer

    async def go() -> list[str]:
        layer = _layer(db_url, SQLAlchemyDataLayer)
        ids = await _seed(layer)
        thread = await layer.get_thread(ids["bad"])
        await layer.engine.dispose()
        return _outputs([thread] if thread else [])

    assert "SECRET OF A" in run(go())


def test_safe_layer_binds_every_id_and_refuses_the_injection(db_url: str) -> None:
    from assistant.web.datalayer import SafeDataLayer

    async def go() -> tuple[list[str], list[str], list[str]]:
        layer = _layer(db_url, SafeDataLayer)
        ids = await _seed(layer)
        refused = []
        for call in (lambda: layer.get_thread(ids["bad"]), lambda: layer.get_thread_author(ids["bad"]),
                     lambda: layer.update_thread(injection(), name="x"), lambda: layer.delete_thread(ids["bad"]),
                     lambda: layer.get_element(ids["bad"], str(uuid.uuid4())), lambda: layer.get_step("1' OR '1'='1"),
                     lambda: layer.delete_feedback("' OR 1=1 --")):
            try:
                await call()
            except InvalidIdError:
                refused.append("refused")
        assert await layer.get_thread_author(str(uuid.uuid4())) == ""  # not stored: Chainlit's ACL answers 404
        b_threads = await layer.get_all_user_threads(user_id=ids["b"])  # the stored bad row is skipped
        a_threads = await layer.get_all_user_threads(user_id=ids["a"])
        await layer.engine.dispose()
        return refused, _outputs(b_threads), _outputs(a_threads)

    refused, b_sees, a_sees = run(go())
    assert refused == ["refused"] * 7
    assert b_sees == [] and a_sees == ["SECRET OF A"]


def test_sqlite_writes_wait_for_another_writer_and_lose_nothing(tmp_path: Path) -> None:
    """Another connection holds SQLite's write lock longer than sqlite3's default 5 s (as a writer whose commit waits
    on a busy event loop did, a new user's trial): the layer's writes wait for it, all of them together, and none is
    dropped (Chainlit's runner logs a failed statement and returns None)."""
    import sqlite3
    import threading
    import time

    from assistant.web.datalayer import SafeDataLayer

    url = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    layer = _layer(url, SafeDataLayer)
    holder = sqlite3.connect(tmp_path / "chat.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, held by another connection
    release = threading.Timer(6.0, lambda: holder.execute("COMMIT"))

    async def go() -> list[Any]:
        release.start()
        tids = [str(uuid.uuid4()) for _ in range(8)]
        await asyncio.gather(*(layer.update_thread(t, name=f"Frage {n}") for n, t in enumerate(tids)))
        threads = [await layer.get_thread(t) for t in tids]
        await layer.engine.dispose()
        return threads

    started = time.monotonic()
    threads = run(go())
    release.join()
    holder.close()
    assert time.monotonic() - started >= 5.0  # the lock was really held past sqlite3's default wait
    assert [t and t["name"] for t in threads] == [f"Frage {n}" for n in range(8)]


def test_a_long_first_message_names_its_thread_briefly(db_url: str) -> None:
    from chainlit.user import User

    from assistant.web.datalayer import THREAD_NAME_MAX, SafeDataLayer

    async def go() -> Any:
        layer = _layer(db_url, SafeDataLayer)
        tid = str(uuid.uuid4())
        user = await layer.create_user(User(identifier="guest-long", metadata={}))
        await layer.update_thread(tid, name="Messestand " * 600, user_id=user.id)
        thread = await layer.get_thread(tid)
        await layer.engine.dispose()
        return thread

    name = run(go())["name"]
    assert name.startswith("Messestand Messestand") and name.endswith("…") and len(name) <= THREAD_NAME_MAX + 1


def test_safe_layer_stores_a_whole_conversation(db_url: str, tmp_path: Path) -> None:
    """Thread, steps with tags, feedback and an element round-trip; the element's key ignores its name."""
    from chainlit.context import init_http_context
    from chainlit.element import Text
    from chainlit.types import Feedback
    from chainlit.user import User

    from assistant.web.datalayer import SafeDataLayer
    from assistant.web.files import LocalStorageClient

    storage = LocalStorageClient(tmp_path / "files")

    async def go() -> tuple[Any, Any, Any, Any]:
        layer = _layer(db_url, SafeDataLayer, storage_provider=storage)
        tid, sid = str(uuid.uuid4()), str(uuid.uuid4())
        init_http_context(thread_id=tid)
        user = await layer.create_user(User(identifier="guest-c", metadata={}))
        await layer.update_thread(tid, name="Messestand?", user_id=user.id, tags=["partner"])
        await layer.create_step({"id": sid, "threadId": tid, "name": "Assistant", "type": "assistant_message",
                                 "output": "förderfähig", "streaming": False, "tags": ["x"], "unknown": "dropped",
                                 "createdAt": "2026-11-29T10:00:00Z", "metadata": {}})  # type: ignore[typeddict-unknown-key]
        await layer.upsert_feedback(Feedback(forId=sid, threadId=tid, value=1, comment="gut"))
        element = Text(name="../../planted.txt", content="Printanzeigen", display="side", for_id=sid)
        element.thread_id = tid
        await layer.create_element(element)
        thread = await layer.get_thread(tid)
        owner = await layer.owner_of_step(sid)
        await layer.engine.dispose()
        return thread, owner, element.id, tid

    thread, owner, element_id, tid = run(go())
    assert thread["name"] == "Messestand?" and [s["output"] for s in thread["steps"]] == ["förderfähig"]
    assert thread["steps"][0]["feedback"]["value"] == 1
    assert owner == (tid, "guest-c")
    [stored] = thread["elements"]
    assert stored["objectKey"] == f"{tid}/{element_id}" and stored["url"] == f"/coop-files/{tid}/{element_id}"
    assert (tmp_path / "files" / tid / element_id).read_text() == "Printanzeigen"
    assert not list(tmp_path.rglob("planted.txt"))


def test_an_element_stored_before_its_thread_is_kept(db_url: str, tmp_path: Path) -> None:
    """Under load an answer's passage can be written before its thread row (seen with two instances on PostgreSQL:
    the foreign key refused it and the reopened thread lost its sources); the thread is upserted first."""
    from chainlit.context import init_http_context
    from chainlit.element import Text
    from chainlit.user import User

    from assistant.web.datalayer import SafeDataLayer
    from assistant.web.files import LocalStorageClient

    async def go() -> tuple[list[Any], Any, str]:
        layer = _layer(db_url, SafeDataLayer, storage_provider=LocalStorageClient(tmp_path / "files"))
        tid, sid = str(uuid.uuid4()), str(uuid.uuid4())
        init_http_context(thread_id=tid)
        element = Text(name="Quelle 1", content="Printanzeigen", display="side", for_id=sid)
        element.thread_id = tid
        await layer.create_element(element)  # no thread row yet
        rows = await layer.execute_sql('SELECT "threadId", "name" FROM elements', {})
        user = await layer.create_user(User(identifier="guest-d", metadata={}))
        await layer.update_thread(tid, name="Printanzeigen?", user_id=user.id)  # the thread arrives later
        author = await layer.get_thread_author(tid)
        await layer.engine.dispose()
        return rows, author, tid

    rows, author, tid = run(go())
    assert [(r["threadId"], r["name"]) for r in rows] == [(tid, "Quelle 1")]
    assert author == "guest-d"  # the later thread update still sets its owner


def test_element_paths_outside_the_upload_folder_are_refused(tmp_path: Path) -> None:
    from chainlit.context import init_http_context
    from chainlit.element import Text

    from assistant.web.datalayer import SafeDataLayer
    from assistant.web.files import LocalStorageClient

    secret = tmp_path / "secret.txt"
    secret.write_text("server secret")
    url = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"

    async def go() -> list[Any]:
        layer = _layer(url, SafeDataLayer, upload_roots=[tmp_path / "uploads"],
                       storage_provider=LocalStorageClient(tmp_path / "files"))
        init_http_context()
        element = Text(name="x", path=str(secret), for_id=str(uuid.uuid4()))
        element.content = None
        element.thread_id = str(uuid.uuid4())
        await layer.create_element(element)
        rows = await layer.execute_sql("SELECT * FROM elements", {})
        await layer.engine.dispose()
        return rows

    assert run(go()) == [] and not (tmp_path / "files").exists()


# -- access guard, files, headers ----------------------------------------------------------------------------
@pytest.fixture()
def jwt_secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CHAINLIT_AUTH_SECRET", SECRET)
    return SECRET


def _cookie(identifier: str, role: str = "partner") -> dict[str, str]:
    from chainlit.auth.jwt import create_jwt
    from chainlit.user import User

    return {"access_token": create_jwt(User(identifier=identifier, metadata={"role": role}))}


@pytest.fixture()
def guarded(jwt_secret: str) -> TestClient:
    """A small app behind AccessGuard: A owns thread T with step S and feedback F."""
    from assistant.web.access import AccessGuard

    tid, sid, fid = (str(uuid.UUID(int=n)) for n in (1, 2, 3))

    async def step_owner(step_id: str) -> tuple[str, str] | None:
        return (tid, "guest-a") if step_id == sid else None

    async def feedback_owner(feedback_id: str) -> tuple[str, str] | None:
        return (tid, "guest-a") if feedback_id == fid else None

    async def ok(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True, "body": (await request.body()).decode()})

    app = Starlette(routes=[Route("/project/thread/{tid}", ok), Route("/project/threads", ok, methods=["POST"]),
                            Route("/feedback", ok, methods=["PUT", "DELETE"])])
    client = TestClient(AccessGuard(app, step_owner, feedback_owner))  # type: ignore[arg-type]
    client.ids = (tid, sid, fid)  # type: ignore[attr-defined]
    return client


def test_guard_refuses_non_uuid_ids_in_paths_and_bodies(guarded: TestClient) -> None:
    tid, _, _ = guarded.ids  # type: ignore[attr-defined]
    assert guarded.get(f"/project/thread/{tid}").status_code == 200
    assert guarded.get("/project/thread/x'%20UNION%20SELECT%201--").status_code == 400
    body = {"pagination": {"first": 20, "cursor": "x' OR '1'='1"}, "filter": {}}
    assert guarded.post("/project/threads", json=body).status_code == 400
    good = guarded.post("/project/threads", json={"pagination": {"first": 20, "cursor": tid}, "filter": {}})
    assert good.status_code == 200 and json.loads(good.json()["body"])["pagination"]["cursor"] == tid  # body replayed


def test_feedback_only_on_own_threads(guarded: TestClient) -> None:
    tid, sid, fid = guarded.ids  # type: ignore[attr-defined]
    put = {"sessionId": str(uuid.uuid4()), "feedback": {"forId": sid, "threadId": tid, "value": 1}}
    assert guarded.put("/feedback", json=put).status_code == 401
    assert guarded.put("/feedback", json=put, cookies=_cookie("guest-b")).status_code == 403
    assert guarded.put("/feedback", json=put, cookies=_cookie("guest-a")).status_code == 200
    elsewhere = {**put, "feedback": {**put["feedback"], "threadId": str(uuid.uuid4())}}
    assert guarded.put("/feedback", json=elsewhere, cookies=_cookie("guest-a")).status_code == 403
    delete = {"feedbackId": fid}
    assert guarded.request("DELETE", "/feedback", json=delete, cookies=_cookie("guest-b")).status_code == 403
    assert guarded.request("DELETE", "/feedback", json=delete, cookies=_cookie("guest-a")).status_code == 200


def test_stored_files_only_for_owner_and_staff(tmp_path: Path, jwt_secret: str) -> None:
    from assistant.web.files import LocalStorageClient, file_router

    storage = LocalStorageClient(tmp_path / "files")
    tid, eid = str(uuid.uuid4()), str(uuid.uuid4())
    uploaded = run(storage.upload_file(f"{tid}/{eid}", "Printanzeigen"))

    async def owner(thread_id: str) -> str | None:
        return "guest-a" if thread_id == tid else None

    app = FastAPI()
    app.include_router(file_router(storage, owner))
    client = TestClient(app)
    url = uploaded["url"]
    assert client.get(url).status_code == 401
    assert client.get(url, cookies=_cookie("guest-b")).status_code == 404
    assert client.get(url, cookies=_cookie("guest-a")).text == "Printanzeigen"
    assert client.get(url, cookies=_cookie("anna", "staff")).text == "Printanzeigen"
    assert client.get("/coop-files/%2e%2e/planted.txt", cookies=_cookie("guest-a")).status_code == 404
    with pytest.raises(ValueError, match="not <thread uuid>/<element uuid>"):
        storage.path_for("user-1/el-1/../../planted.txt")


def test_security_headers_on_every_response() -> None:
    from assistant.web.security import SecurityHeaders, note_inline_scripts

    note_inline_scripts("<html><script>const global = globalThis;</script></html>")

    async def page(request: Request) -> JSONResponse:
        return JSONResponse({}, status_code=404)

    client = TestClient(SecurityHeaders(Starlette(routes=[Route("/x", page)])))  # type: ignore[arg-type]
    headers = client.get("/x").headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-eval'" not in csp
    assert "'sha256-" in csp.split("script-src")[1].split(";")[0] and "'unsafe-inline'" not in csp.split("style-src")[0]
    assert headers["x-content-type-options"] == "nosniff"


# -- API tokens ----------------------------------------------------------------------------------------------
@pytest.fixture()
def api(assistant, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, dict[str, str]]]:  # type: ignore[no-untyped-def]
    from assistant import service
    from assistant.web.api import make_router
    from assistant.web.tokens import TokenGate, hash_token, new_token

    monkeypatch.setattr(service, "_assistant", assistant)
    tokens = {"crm": new_token(), "old": new_token()}
    gate = TokenGate({n: hash_token(t) for n, t in tokens.items()}, ["old"], "3/minute")
    app = FastAPI()
    app.include_router(make_router(gate))
    yield TestClient(app), tokens


def test_api_needs_a_valid_token_and_limits_its_rate(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    body = {"question": "Können wir LinkedIn-Anzeigen bezahlen?"}
    assert client.post("/api/check", json=body).status_code == 401
    assert client.post("/api/check", json=body, headers={"Authorization": "Bearer coop_wrong"}).status_code == 401
    assert client.post("/api/check", json=body, headers={"Authorization": f"Bearer {tokens['old']}"}).status_code == 403
    auth = {"Authorization": f"Bearer {tokens['crm']}"}
    assert [client.post("/api/check", json=body, headers=auth).status_code for _ in range(3)] == [200] * 3
    limited = client.post("/api/check", json=body, headers=auth)
    assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 60


def test_api_refuses_an_oversized_body_while_reading() -> None:
    """300 MB offered in 1 MB chunks: reading stops at the first chunk past the limit."""
    from assistant.web.api import MAX_BODY, BodyTooLarge, read_limited

    received: list[int] = []

    async def receive() -> dict[str, Any]:
        received.append(1)
        return {"type": "http.request", "body": b"x" * (1 << 20), "more_body": len(received) < 300}

    async def go() -> None:
        await read_limited(Request({"type": "http", "method": "POST", "headers": []}, receive))

    with pytest.raises(BodyTooLarge):
        run(go())
    assert len(received) == 1 and MAX_BODY < (1 << 20)
    declared = Request({"type": "http", "method": "POST", "headers": [(b"content-length", b"314572800")]}, receive)
    with pytest.raises(BodyTooLarge):
        run(read_limited(declared))
    assert len(received) == 1  # refused on the declared length, nothing read


def test_create_token_prints_a_settings_entry() -> None:
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.web.tokens import TokenGate

    out = CliRunner().invoke(app, ["create-token", "crm"])
    assert out.exit_code == 0, out.output
    token = out.output.split("token: ")[1].split()[0]
    line = next(x for x in out.output.splitlines() if x.startswith("COOP_API_TOKENS="))
    entry = json.loads(line.split("=", 1)[1].strip("'"))
    assert TokenGate(entry, [], "5/minute").check(f"Bearer {token}").status == 200
    assert token not in json.dumps(entry)


# -- the model call has a deadline ---------------------------------------------------------------------------
def test_a_trickling_model_is_cut_at_the_deadline(assistant) -> None:  # type: ignore[no-untyped-def]
    from assistant.chains.answer import AnswerChain
    from assistant.chains.llm import chat_model
    from assistant.config import Settings
    from tests.fake_openai import FakeOpenAI, Scripted

    fake = FakeOpenAI().start()
    try:
        fake.push(Scripted(content="Ja, LinkedIn-Anzeigen sind förderfähig. " * 5, trickle=0.5))
        chain = AnswerChain(assistant, chat_model(Settings(llm_base_url=fake.base_url, llm_model="m", llm_timeout=2)))
        reply = chain.invoke("Können wir LinkedIn-Anzeigen bezahlen?")
    finally:
        fake.stop()
    # the deadline decided (LLMError from invoke_within), not the end of the ~100 s trickle or a per-read timeout
    assert reply.source == "deterministic" and reply.note == "model unavailable: LLMError"
