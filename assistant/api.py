"""`POST /api/check`: the contract's answer object over HTTP, for staff tools and CRMs."""

from __future__ import annotations

import asyncio
import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from assistant.service import get_assistant

router = APIRouter()
MAX_BODY = 256 * 1024
USAGE = 'Send JSON like {"question": "Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"}.'


class CheckRequest(BaseModel):
    question: str
    id: str | None = None


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


@router.post("/api/check")
async def api_check(request: Request) -> JSONResponse:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return _error(413, f"The body has {len(raw):,} bytes; the limit is {MAX_BODY:,}. {USAGE}")
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(400, f"The body is not valid JSON. {USAGE}")
    try:
        req = CheckRequest.model_validate(body)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors())
        return _error(422, f"Invalid request ({problems}). {USAGE}")
    answer = await asyncio.to_thread(get_assistant().answer, req.question, req.id)
    return JSONResponse(answer.to_contract(), status_code=422 if answer.error else 200)
