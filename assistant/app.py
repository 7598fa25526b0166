"""Chainlit app: wires hooks only — engine, chains and rendering live in the package."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from typing import Any

import chainlit as cl
import chainlit.config
import chainlit.server
from chainlit.server import app as server
from chainlit.server import sio

from assistant.chains.answer import AnswerChain, Reply
from assistant.chains.draft import DraftChain
from assistant.chains.llm import chat_model
from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.models import PARTNER_CARE_EMAIL, PARTNER_CARE_PHONE, Language
from assistant.service import check_data, get_assistant
from assistant.text import recent_history
from assistant.web.access import AccessGuard, is_staff
from assistant.web.api import make_router
from assistant.web.auth import check_staff
from assistant.web.datalayer import SafeDataLayer
from assistant.web.files import LocalStorageClient, file_router
from assistant.web.ids import is_uuid
from assistant.web.offline_html import offline_template
from assistant.web.persistence import upgrade as upgrade_schema
from assistant.web.security import SecurityHeaders
from assistant.web.tokens import TokenGate
from assistant.web.ui import STARTERS, STORED_FIELDS, handoff_message, limit_message, limit_script, source_elements, ui_language

log = logging.getLogger("assistant.app")
settings = Settings()
try:
    check_data(settings)
except AssistantError as exc:  # refuse to start half-working
    logging.getLogger("assistant").error("cannot start: %s", exc)
    raise SystemExit(2) from exc
settings.export_for_chainlit()

# Chainlit's session upload folder, per process under the data dir: Chainlit deletes it at shutdown,
# which must not take another instance's files with it (upstream: <app root>/.files for everyone).
_session_files = settings.session_files_dir(os.getpid())
_session_files.mkdir(parents=True, exist_ok=True)
chainlit.config.FILES_DIRECTORY = _session_files
chainlit.server.FILES_DIRECTORY = _session_files

storage = LocalStorageClient(settings.files_dir)
layer = SafeDataLayer(settings.database, upload_roots=[_session_files], storage_provider=storage)


async def _thread_owner(thread_id: str) -> str | None:
    try:
        return await layer.get_thread_author(thread_id)
    except ValueError:
        return None


server.include_router(make_router(TokenGate(settings.api_tokens, settings.api_tokens_revoked, settings.api_rate)))
server.include_router(file_router(storage, _thread_owner))
LIMIT_JS = "/coop-static/limit.js"


@server.get(LIMIT_JS, include_in_schema=False)
async def limit_js() -> Any:
    from fastapi.responses import Response

    return Response(limit_script(settings.max_question_chars), media_type="text/javascript")


# Chainlit's catch-all page route (GET /{full_path:path}) would shadow routes added after it: ours go first.
_ours = server.router.routes[-3:]
del server.router.routes[-3:]
server.router.routes[0:0] = _ours
chainlit.server.get_html_template = offline_template(chainlit.server.get_html_template)
chainlit.config.config.ui.custom_js = LIMIT_JS
server.add_middleware(AccessGuard, step_owner=layer.owner_of_step, feedback_owner=layer.owner_of_feedback)
server.add_middleware(SecurityHeaders)
# socket.io: messages up to socket_max_bytes reach on_message (and get the limit reply) instead of
# dropping the connection at engine.io's 1 MB default
sio.eio.max_http_buffer_size = settings.socket_max_bytes

_connect = sio.handlers["/"]["connect"]


async def _connect_checked(sid: str, environ: dict[str, Any], auth: dict[str, Any] | None) -> Any:
    """A socket may only name a thread by UUID (the thread-id SQL injection of Chainlit 2.12 starts here)."""
    thread_id = (auth or {}).get("threadId")
    if thread_id and not is_uuid(thread_id):  # the page sends "" for a new chat
        log.warning("socket refused: thread id is not a UUID")
        raise ConnectionRefusedError("invalid thread id")
    return await _connect(sid, environ, auth)


sio.handlers["/"]["connect"] = _connect_checked

PARTNER, STAFF = "Partner", "Partner Care"


@cl.on_app_startup
async def warm_up() -> None:
    """Load the model and open (or build) the index while the server starts, not on the first question."""
    asyncio.get_running_loop().run_in_executor(None, get_assistant)


@cl.data_layer
def data_layer() -> SafeDataLayer:
    upgrade_schema(settings.database)
    return layer


@cl.header_auth_callback
async def guest_login(headers: Any) -> cl.User | None:
    """Partners chat without an account: each browser gets its own guest identity.

    Staff open /login?staff to get the password form instead.
    """
    if "staff" in (headers.get("referer") or ""):
        return None
    return cl.User(identifier=f"guest-{uuid.uuid4().hex[:12]}", metadata={"role": "partner"})


@cl.password_auth_callback
async def staff_login(username: str, password: str) -> cl.User | None:
    if check_staff(settings.staff_users, username, password):
        return cl.User(identifier=username, metadata={"role": "staff"})
    return None


@cl.set_chat_profiles
async def chat_profiles(user: cl.User | None, language: str | None = None) -> list[cl.ChatProfile]:
    de = ui_language(language) == "de"
    profiles = [cl.ChatProfile(
        name=PARTNER, default=not is_staff(user),
        markdown_description="Fragen Sie, ob eine Aktivität Co-op-fähig ist." if de
        else "Ask whether an activity can be paid with Co-op funds.")]
    if is_staff(user):
        profiles.append(cl.ChatProfile(
            name=STAFF, default=True,
            markdown_description="Partner-Nachricht einfügen, Antwortentwurf erhalten." if de
            else "Paste a partner's message, get a draft reply."))
    return profiles


@cl.set_starters
async def starters(user: cl.User | None = None, language: str | None = None) -> list[cl.Starter]:
    return [cl.Starter(label=label, message=text) for label, text in STARTERS[ui_language(language)]]


def _session_chain(assistant: Any) -> AnswerChain | DraftChain:
    """This chat's chain: Partner Care's drafting chain for a staff user on the staff profile, else the answer chain."""
    llm = chat_model(settings)
    profile = cl.user_session.get("chat_profile")
    return DraftChain(assistant, llm) if profile == STAFF and is_staff(cl.user_session.get("user")) \
        else AnswerChain(assistant, llm)


@cl.on_chat_start
async def start() -> None:
    cl.user_session.set("chain", _session_chain(await cl.make_async(get_assistant)()))


@cl.on_chat_resume
async def resume(thread: Any) -> None:
    """A conversation reopened from the history gets its chain back and its dialogue state (the user turns)."""
    await start()
    steps = sorted(thread.get("steps") or [], key=lambda s: str(s.get("createdAt") or ""))
    cl.user_session.set("history", [str(s.get("output") or "") for s in steps if s.get("type") == "user_message"])


def _ui_language() -> Language:
    """The language of this chat's UI (the browser's), for replies a message's own text cannot decide."""
    return ui_language(getattr(cl.context.session, "language", None))


# characters per streamed token: the reply is complete before it is sent; `make load` (50 sessions × 3)
# measured per-answer p50 / p95 1.6 / 4.5 s at 48 characters, 0.5 / 1.8 s at 600
STREAM_CHUNK = 600


async def _stream(msg: cl.Message, text: str) -> None:
    for start in range(0, len(text), STREAM_CHUNK):
        await msg.stream_token(text[start:start + STREAM_CHUNK])


FAILURE = {
    "de": "Die Antwort konnte gerade nicht erstellt werden ({error}). Bitte versuchen Sie es gleich noch einmal "
          "oder wenden Sie sich an Partner Care: " + PARTNER_CARE_PHONE + " · " + PARTNER_CARE_EMAIL + ".",
    "en": "The answer could not be produced just now ({error}). Please try again in a moment or contact "
          "Partner Care: " + PARTNER_CARE_PHONE + " · " + PARTNER_CARE_EMAIL + ".",
}


@cl.on_message
async def on_message(message: cl.Message) -> None:
    if len(message.content) > settings.max_question_chars:  # answered in the UI's language, not the text's
        await cl.Message(content=limit_message(_ui_language(), settings.max_question_chars)).send()
        return
    try:
        # a message that comes before the chat's start has set its chain (the engine still loading) gets the chain
        # of its profile, not the partner's answer chain (session 29: a staff draft came back as a partner answer)
        chain = cl.user_session.get("chain") or _session_chain(await cl.make_async(get_assistant)())
        history: list[str] = cl.user_session.get("history") or []
        if isinstance(chain, AnswerChain):
            recent = recent_history(history, settings.max_history_turns, settings.max_history_chars,
                                    settings.max_question_chars)
            reply: Reply = await cl.make_async(chain.invoke)(message.content, recent, _ui_language())
        else:
            reply = await cl.make_async(chain.invoke)(message.content)
        cl.user_session.set("history", [*history, message.content])
    except Exception as exc:  # the person must always get an answer and the contact
        log.exception("answering failed")
        error = str(exc) if isinstance(exc, AssistantError) else type(exc).__name__
        await cl.Message(content=FAILURE[_ui_language()].format(error=error)).send()
        return
    answer = reply.answer
    text = reply.text
    if isinstance(chain, DraftChain) and not answer.error:
        text = ("**Antwortentwurf**" if answer.language == "de" else "**Draft reply**") + "\n\n```text\n" + text + "\n```"
    sources = source_elements(answer)
    elements: list[Any] = [cl.Text(name=s.name, content=s.content, display="side") for s in sources]
    if isinstance(chain, DraftChain):
        elements.append(cl.Text(name="Findings (JSON)", display="side", language="json",
                                content=json.dumps([f.model_dump() for f in answer.findings], ensure_ascii=False, indent=1)))
    names = [e.name for e in elements]
    if names:
        text += "\n\n" + ("Quellen: " if answer.language == "de" else "Sources: ") + " · ".join(names)
    label = "Partner Care kontaktieren" if answer.language == "de" else "Contact Partner Care"
    answers: list[dict[str, Any]] = cl.user_session.get("answers") or []
    cl.user_session.set("answers", [*answers, answer.model_dump(mode="json", include=set(STORED_FIELDS))])
    actions = [cl.Action(name="handoff", label=label, icon="phone",
                         payload={"answer": answer.model_dump(mode="json"), "turn": len(answers)})]
    msg = cl.Message(content="", elements=elements, actions=actions)
    await _stream(msg, text)
    await msg.send()


@cl.action_callback("handoff")
async def on_handoff(action: cl.Action) -> None:
    from assistant.models import Answer

    answer = Answer.model_validate(action.payload["answer"])
    turn = int(action.payload.get("turn") or 0)
    earlier = [Answer.model_validate(a) for a in (cl.user_session.get("answers") or [])[:turn]]
    await cl.Message(content=handoff_message(answer, earlier)).send()
