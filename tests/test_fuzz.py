"""Bounded fuzz passes (hypothesis) over the HTTP API and the access guard: every input gets a 2xx/4xx, never a 500."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "coop_fuzz-token"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=200),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20)
questions = st.text(max_size=5000) | st.sampled_from(["", " ", "\u0000", "Messestand?\ud800", "🚀" * 2000, "x" * 4001])
bodies = st.one_of(
    st.binary(max_size=2000),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"question": questions}, optional={"id": json_values, "history": json_values})
    .map(lambda v: json.dumps(v).encode()),
)
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def api_client(assistant) -> TestClient:  # type: ignore[no-untyped-def]
    from assistant import service
    from assistant.web.api import make_router
    from assistant.web.tokens import TokenGate, hash_token

    service._assistant = assistant
    app = FastAPI()
    app.include_router(make_router(TokenGate({"fuzz": hash_token(TOKEN)}, [], "100000/minute")))
    return TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"})


@FUZZ
@given(body=bodies)
def test_api_answers_every_body_with_a_contract_object_or_a_clear_error(api_client: TestClient, body: bytes) -> None:
    r = api_client.post("/api/check", content=body, headers={"content-type": "application/json"})
    assert r.status_code in (200, 400, 413, 422), r.text[:300]
    data = r.json()
    assert ("findings" in data and "answer" in data) or isinstance(data.get("error"), str)


@FUZZ
@given(header=st.text(max_size=80) | st.just("Bearer ") | st.builds(lambda t: f"Bearer {t}", st.text(max_size=60)))
def test_api_token_check_never_crashes(api_client: TestClient, header: str) -> None:
    try:
        r = api_client.post("/api/check", json={"question": "Messestand?"}, headers={"Authorization": header})
    except UnicodeEncodeError:  # not sendable as an HTTP header at all
        return
    assert r.status_code in (200, 401), r.text[:300]


@pytest.fixture(scope="module")
def guard_client() -> TestClient:
    from assistant.web.access import AccessGuard

    async def owner(_: str) -> tuple[str, str] | None:
        return (str(uuid.UUID(int=1)), "guest-a")

    async def ok(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/feedback", ok, methods=["PUT", "DELETE"]),
                            Route("/project/threads", ok, methods=["POST"]),
                            Route("/project/thread/{tid}", ok)])
    return TestClient(AccessGuard(app, owner, owner))  # type: ignore[arg-type]


@FUZZ
@given(path=st.sampled_from(["/feedback", "/project/threads"]), method=st.sampled_from(["PUT", "POST", "DELETE"]),
       body=json_values, raw=st.binary(max_size=300), use_raw=st.booleans())
def test_access_guard_never_crashes(guard_client: TestClient, path: str, method: str, body: Any, raw: bytes,
                                    use_raw: bool) -> None:
    content = raw if use_raw else json.dumps(body).encode()
    r = guard_client.request(method, path, content=content, headers={"content-type": "application/json"})
    assert r.status_code in (200, 400, 401, 403, 405, 413), r.text[:300]


@FUZZ
@given(segment=st.text(min_size=1, max_size=80).filter(lambda s: "/" not in s and "?" not in s and "#" not in s))
def test_thread_paths_are_uuid_or_400(guard_client: TestClient, segment: str) -> None:
    from urllib.parse import quote

    r = guard_client.get("/project/thread/" + quote(segment, safe=""))
    assert r.status_code in (200, 400, 404)
