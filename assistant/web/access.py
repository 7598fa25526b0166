"""Who may touch which thread: id checks on every HTTP entry point, ownership of feedback, the requester.

Policy (issue #8):
- every thread, step, element and feedback id a client sends — in a path or a JSON body — is a UUID,
  else 400 before any handler or query runs;
- feedback is written or deleted only on a step of a thread the requester owns (403 otherwise);
- reading a thread, its elements or stored files is for its owner and for staff (Chainlit checks
  the owner on its own routes; `/coop-files` is checked in `assistant.web.files`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from chainlit.auth import get_token_from_cookies
from chainlit.auth.jwt import decode_jwt
from chainlit.user import User
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.web.ids import bad_ids, is_uuid

# Chainlit routes with ids in the path (thread and element ids)
_PATH_IDS = [
    re.compile(r"^/project/thread/(?P<thread>[^/]+)/element/(?P<element>[^/]+)/?$"),
    re.compile(r"^/project/thread/(?!share$)(?P<thread>[^/]+)/?$"),
    re.compile(r"^/project/share/(?P<thread>[^/]+)/?$"),
]
# Chainlit routes whose JSON bodies carry ids
_BODY_PREFIXES = ("/project/", "/feedback")
MAX_GUARDED_BODY = 2 * 1024 * 1024  # bytes; Chainlit's JSON bodies are small (file uploads are multipart)

OwnerLookup = Callable[[str], Awaitable[tuple[str, str] | None]]


def requester(conn: HTTPConnection) -> User | None:
    """The signed-in user of a request (Chainlit's JWT from the cookie or a bearer header), or None."""
    token = get_token_from_cookies(dict(conn.cookies))
    auth = conn.headers.get("authorization", "")
    if not token and auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    if not token:
        return None
    try:
        return decode_jwt(token)
    except Exception:  # noqa: BLE001 - expired, forged or malformed: not signed in
        return None


def is_staff(user: User | None) -> bool:
    return bool(user and (user.metadata or {}).get("role") == "staff")


def path_problem(path: str) -> str | None:
    """Why a Chainlit path with ids is refused (a non-UUID id), or None."""
    for pattern in _PATH_IDS:
        match = pattern.match(path)
        if match:
            for name, value in match.groupdict().items():
                if not is_uuid(value):
                    return f"{name} id must be a UUID"
            return None
    return None


async def feedback_problem(method: str, body: Any, user: User | None, step_owner: OwnerLookup,
                           feedback_owner: OwnerLookup) -> tuple[int, str] | None:
    """(status, reason) when the requester may not write or delete this feedback, else None."""
    if not isinstance(body, dict):
        return None  # Chainlit's own validation answers 422
    if user is None:
        return 401, "sign in first"
    if method == "PUT":
        fb: dict[str, Any] = body["feedback"] if isinstance(body.get("feedback"), dict) else {}
        owner = await step_owner(str(fb.get("forId"))) if is_uuid(fb.get("forId")) else None
        if owner is None or owner[1] != user.identifier or owner[0] != fb.get("threadId"):
            return 403, "feedback only on your own conversations"
        if fb.get("id") and (await feedback_owner(str(fb["id"]))) not in (None, owner):
            return 403, "feedback only on your own conversations"
    elif method == "DELETE":
        fid = body.get("feedbackId")
        owner = await feedback_owner(str(fid)) if is_uuid(fid) else None
        if owner is not None and owner[1] != user.identifier:
            return 403, "feedback only on your own conversations"
    return None


class AccessGuard:
    """ASGI middleware applying the module's policy before Chainlit's handlers run."""

    def __init__(self, app: ASGIApp, step_owner: OwnerLookup, feedback_owner: OwnerLookup) -> None:
        self.app = app
        self.step_owner = step_owner
        self.feedback_owner = feedback_owner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if (problem := path_problem(path)) is not None:
            await JSONResponse({"error": problem}, status_code=400)(scope, receive, send)
            return
        if scope["method"] in {"POST", "PUT", "DELETE"} and path.startswith(_BODY_PREFIXES) \
                and b"json" in dict(scope["headers"]).get(b"content-type", b""):
            raw = await read_body_within(receive, MAX_GUARDED_BODY)
            if raw is None:
                await JSONResponse({"error": "body too large"}, status_code=413)(scope, receive, send)
                return
            try:
                body = json.loads(raw or b"null")
            except (ValueError, UnicodeDecodeError):
                body = None  # not JSON: Chainlit's own validation answers
            bad = list(bad_ids(body))
            if bad:
                await JSONResponse({"error": f"{', '.join(bad[:3])}: must be a UUID"}, status_code=400)(
                    scope, receive, send)
                return
            if path.rstrip("/") == "/feedback":
                refused = await feedback_problem(scope["method"], body, requester(HTTPConnection(scope)),
                                                 self.step_owner, self.feedback_owner)
                if refused is not None:
                    await JSONResponse({"error": refused[1]}, status_code=refused[0])(scope, receive, send)
                    return
            receive = _replay(raw, receive)
        await self.app(scope, receive, send)


async def read_body_within(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None as soon as it passes `limit` bytes (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(raw: bytes, original: Receive) -> Receive:
    """A receive that hands the already-read body to the app once, then waits on the real channel."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return await original()

    return receive
