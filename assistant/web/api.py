"""`POST /api/check`: the contract's answer object over HTTP, for staff tools and CRMs (bearer token)."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, ValidationError

from assistant.batch import contract_id
from assistant.service import get_assistant
from assistant.web.access import read_body_within
from assistant.web.tokens import TokenGate

MAX_BODY = 256 * 1024  # bytes
USAGE = 'Send JSON like {"question": "Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"}.'


class CheckRequest(BaseModel):
    question: str
    id: Annotated[str | None, BeforeValidator(contract_id)] = None
    history: list[str] | None = None  # earlier user messages of the conversation, oldest first


class BodyTooLarge(Exception):
    """The request body passed MAX_BODY while it was being read."""


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def read_limited(request: Request, limit: int = MAX_BODY) -> bytes:
    """The body, read chunk by chunk; raises BodyTooLarge as soon as it passes `limit` bytes (nothing more is read)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(int(declared))
    raw = await read_body_within(request.receive, limit)
    if raw is None:
        raise BodyTooLarge(limit)
    return raw


def make_router(gate: TokenGate) -> APIRouter:
    """The API routes; every request needs a valid, unrevoked token within its rate limit."""
    router = APIRouter()

    @router.post("/api/check")
    async def api_check(request: Request) -> JSONResponse:
        verdict = gate.check(request.headers.get("authorization"))
        if verdict.status == 401:
            return _error(401, verdict.reason, {"WWW-Authenticate": "Bearer"})
        if verdict.status == 429:
            return _error(429, verdict.reason, {"Retry-After": str(verdict.retry_after)})
        if verdict.status != 200:
            return _error(verdict.status, verdict.reason)
        try:
            raw = await read_limited(request)
        except BodyTooLarge:
            return _error(413, f"The body is larger than the limit of {MAX_BODY:,} bytes. {USAGE}")
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, f"The body is not valid JSON. {USAGE}")
        try:
            req = CheckRequest.model_validate(body)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors())
            return _error(422, f"Invalid request ({problems}). {USAGE}")
        from assistant.dialogue.resolver import Conversation

        answer = await asyncio.to_thread(Conversation(get_assistant()).answer, req.question, req.history, req.id)
        return JSONResponse(answer.to_contract(), status_code=422 if answer.error else 200)

    @router.api_route("/api/check", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    async def api_check_other_methods() -> JSONResponse:
        # the chat's catch-all page answered GET with 200 and HTML (a new user's trial, session 22)
        return _error(405, f"Use POST. {USAGE}", {"Allow": "POST"})

    return router
