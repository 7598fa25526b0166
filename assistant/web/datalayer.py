"""Chainlit's SQLAlchemy data layer with every id checked and every value bound as a parameter.

Chainlit 2.12's `SQLAlchemyDataLayer.get_all_user_threads` builds its `IN ('…')` lists by string
concatenation, so a client-chosen thread id carrying a quote injects SQL (the shape reported for
a derived layer in PraisonAI issue 1224). Audit of the upstream class (2.12.0):

- `get_all_user_threads`: concatenated `IN` lists → rewritten here with one bound parameter per id;
- `create_step` / `update_thread` / `upsert_feedback` / `create_element`: column names come from
  dict keys → restricted here to the schema's columns; values are bound upstream;
- `create_element`: the storage key contains the client-chosen element name → here the key is
  `<thread id>/<element id>` (server-checked UUIDs only) and elements by URL are refused (no fetch);
- every other query binds its values already; ids are still checked here before they reach SQL.

Ids are UUIDs (`assistant.web.ids`); a non-UUID id raises `InvalidIdError` before any query runs.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
from chainlit.data.utils import queue_until_user_message
from chainlit.types import Feedback, FeedbackDict, PaginatedResponse, Pagination, ThreadDict, ThreadFilter

from assistant.web.ids import is_uuid, require_uuid
from assistant.web.persistence import SQLITE_BUSY_SECONDS

if TYPE_CHECKING:
    from chainlit.element import Element
    from chainlit.step import StepDict

log = logging.getLogger(__name__)

STEP_COLUMNS = frozenset({
    "id", "name", "type", "threadId", "parentId", "command", "modes", "streaming", "waitForAnswer", "isError",
    "metadata", "tags", "input", "output", "createdAt", "start", "end", "generation", "showInput", "defaultOpen",
    "autoCollapse", "language", "icon", "feedback"})
ELEMENT_COLUMNS = frozenset({
    "id", "threadId", "type", "chainlitKey", "path", "url", "objectKey", "name", "display", "size", "language", "page",
    "props", "autoPlay", "playerConfig", "forId", "mime"})

_STEP_SELECT = """
    SELECT s."id" AS step_id, s."name" AS step_name, s."type" AS step_type, s."threadId" AS step_threadid,
           s."parentId" AS step_parentid, s."streaming" AS step_streaming, s."waitForAnswer" AS step_waitforanswer,
           s."isError" AS step_iserror, s."metadata" AS step_metadata, s."tags" AS step_tags, s."input" AS step_input,
           s."output" AS step_output, s."createdAt" AS step_createdat, s."start" AS step_start, s."end" AS step_end,
           s."generation" AS step_generation, s."showInput" AS step_showinput, s."language" AS step_language,
           f."value" AS feedback_value, f."comment" AS feedback_comment, f."id" AS feedback_id
    FROM steps s LEFT JOIN feedbacks f ON s."id" = f."forId"
    WHERE s."threadId" IN ({ids})
    ORDER BY s."createdAt" ASC"""
_ELEMENT_SELECT = """
    SELECT e."id" AS element_id, e."threadId" AS element_threadid, e."type" AS element_type,
           e."chainlitKey" AS element_chainlitkey, e."url" AS element_url, e."objectKey" AS element_objectkey,
           e."name" AS element_name, e."display" AS element_display, e."size" AS element_size,
           e."language" AS element_language, e."page" AS element_page, e."forId" AS element_forid,
           e."mime" AS element_mime, e."props" AS props
    FROM elements e WHERE e."threadId" IN ({ids})"""


def _placeholders(prefix: str, values: list[str]) -> tuple[str, dict[str, str]]:
    """`IN` list as bound parameters: (":t0, :t1", {"t0": …, "t1": …})."""
    params = {f"{prefix}{n}": v for n, v in enumerate(values)}
    return ", ".join(f":{k}" for k in params), params


# characters of a thread's name (Chainlit names a thread by its first message; a 6,000-character message made the
# history list unreadable — found in a new user's trial, session 11)
THREAD_NAME_MAX = 120


class SafeDataLayer(SQLAlchemyDataLayer):
    """`SQLAlchemyDataLayer` whose every entry point checks ids and binds values (see the module docstring).

    `upload_roots`: folders an element's `path` may point into (Chainlit's session files); any
    other path is refused, so no element can read a server file.
    """

    def __init__(self, conninfo: str, upload_roots: list[Path] | None = None, **kwargs: Any) -> None:
        sqlite = conninfo.startswith("sqlite")
        if sqlite:  # a writer waits for the lock instead of failing after sqlite3's default 5 s
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_SECONDS, **(kwargs.get("connect_args") or {})}
        super().__init__(conninfo=conninfo, **kwargs)
        self.upload_roots = [p.resolve() for p in (upload_roots or [])]
        # SQLite takes one writer at a time, and Chainlit's layer holds the lock across an await (between the
        # statement and its commit): with the event loop busy answering, another writer timed out ("database is
        # locked") and its step was lost without a word (a new user's trial, session 24: 3 of 24 guests arriving at
        # once got no answer). The statements of one process go one at a time (`persistence.upgrade` turns on WAL).
        self._one_at_a_time = asyncio.Lock() if sqlite else None

    async def execute_sql(self, query: str, parameters: dict) -> list[dict[str, Any]] | int | None:
        """Chainlit's statement runner; on SQLite one statement of this process at a time (see `__init__`)."""
        if self._one_at_a_time is None:
            return await super().execute_sql(query, parameters)
        async with self._one_at_a_time:
            return await super().execute_sql(query, parameters)

    # -- threads -------------------------------------------------------------------------------------------
    async def get_thread_author(self, thread_id: str) -> str:
        """The thread's author's identifier; "" for a thread not stored (yet), which Chainlit's ACL answers with 404
        "Thread not found" — its layer raises ValueError there, a 500 to the client."""
        require_uuid(thread_id, what="thread id")
        try:
            return await super().get_thread_author(thread_id)
        except ValueError:
            return ""

    async def get_thread(self, thread_id: str) -> ThreadDict | None:
        require_uuid(thread_id, what="thread id")
        return await super().get_thread(thread_id)

    async def update_thread(self, thread_id: str, name: str | None = None, user_id: str | None = None,
                            metadata: dict | None = None, tags: list[str] | None = None) -> None:
        require_uuid(thread_id, what="thread id")
        require_uuid(user_id, what="user id")
        if name is not None and len(name) > THREAD_NAME_MAX:  # the first message names the thread in the history list
            name = name[:THREAD_NAME_MAX].rstrip() + "…"
        await super().update_thread(thread_id, name=name, user_id=user_id, metadata=metadata,
                                    tags=json.dumps(tags) if tags is not None else None)  # type: ignore[arg-type]

    async def delete_thread(self, thread_id: str) -> None:
        require_uuid(thread_id, what="thread id")
        await super().delete_thread(thread_id)

    async def list_threads(self, pagination: Pagination, filters: ThreadFilter) -> PaginatedResponse:
        require_uuid(filters.userId, what="user id")
        require_uuid(pagination.cursor, what="cursor")
        return await super().list_threads(pagination, filters)

    # -- steps ---------------------------------------------------------------------------------------------
    @queue_until_user_message()
    async def create_step(self, step_dict: StepDict) -> None:
        require_uuid(step_dict.get("id"), step_dict.get("threadId"), step_dict.get("parentId"), what="step id")
        clean: dict[str, Any] = {k: v for k, v in step_dict.items() if k in STEP_COLUMNS}
        if isinstance(clean.get("tags"), list):
            clean["tags"] = json.dumps(clean["tags"])
        await SQLAlchemyDataLayer.create_step.__wrapped__(self, clean)

    @queue_until_user_message()
    async def update_step(self, step_dict: StepDict) -> None:
        await SafeDataLayer.create_step.__wrapped__(self, step_dict)

    @queue_until_user_message()
    async def delete_step(self, step_id: str) -> None:
        require_uuid(step_id, what="step id")
        await SQLAlchemyDataLayer.delete_step.__wrapped__(self, step_id)

    async def get_step(self, step_id: str) -> StepDict | None:
        require_uuid(step_id, what="step id")
        return await super().get_step(step_id)

    # -- feedback ------------------------------------------------------------------------------------------
    async def upsert_feedback(self, feedback: Feedback) -> str:
        require_uuid(feedback.id, feedback.forId, feedback.threadId, what="feedback id")
        return await super().upsert_feedback(feedback)

    async def delete_feedback(self, feedback_id: str) -> bool:
        require_uuid(feedback_id, what="feedback id")
        return await super().delete_feedback(feedback_id)

    async def owner_of_step(self, step_id: str) -> tuple[str, str] | None:
        """(thread id, owner identifier) of a step, or None."""
        require_uuid(step_id, what="step id")
        return await self._owner('FROM steps x JOIN threads t ON x."threadId" = t."id"', step_id)

    async def owner_of_feedback(self, feedback_id: str) -> tuple[str, str] | None:
        """(thread id, owner identifier) of a feedback, or None."""
        require_uuid(feedback_id, what="feedback id")
        return await self._owner('FROM feedbacks x JOIN threads t ON x."threadId" = t."id"', feedback_id)

    async def _owner(self, source: str, row_id: str) -> tuple[str, str] | None:
        rows = await self.execute_sql(f'SELECT t."id" AS tid, t."userIdentifier" AS owner {source} WHERE x."id" = :id',
                                      {"id": row_id})
        return (rows[0]["tid"], rows[0]["owner"]) if isinstance(rows, list) and rows else None

    # -- elements ------------------------------------------------------------------------------------------
    async def get_element(self, thread_id: str, element_id: str) -> Any:
        require_uuid(thread_id, element_id, what="element id")
        return await super().get_element(thread_id, element_id)

    @queue_until_user_message()
    async def delete_element(self, element_id: str, thread_id: str | None = None) -> None:
        require_uuid(element_id, thread_id, what="element id")
        await SQLAlchemyDataLayer.delete_element.__wrapped__(self, element_id, thread_id)

    @queue_until_user_message()
    async def create_element(self, element: Element) -> None:
        """Store the element's content under `<thread id>/<element id>` (never its client-chosen name)."""
        require_uuid(element.id, element.thread_id, element.for_id or None, what="element id")
        if self.storage_provider is None or not element.for_id:
            return
        content: bytes | str | None
        if element.content is not None:
            content = element.content
        elif element.path and self._inside_upload_roots(element.path):
            content = Path(element.path).read_bytes()
        else:
            log.warning("element %s refused: content must be inline or an uploaded file (no URLs, no other paths)",
                        element.id)
            return
        key = f"{element.thread_id}/{element.id}"
        uploaded = await self.storage_provider.upload_file(
            object_key=key, data=content, mime=element.mime or "text/plain", overwrite=True)
        row: dict[str, Any] = {k: v for k, v in element.to_dict().items() if v is not None and k in ELEMENT_COLUMNS}
        row.update(url=uploaded["url"], objectKey=uploaded["object_key"])
        row.pop("path", None)
        if "props" in row:
            row["props"] = json.dumps(row["props"])
        columns = ", ".join(f'"{c}"' for c in row)
        values = ", ".join(f":{c}" for c in row)
        updates = ", ".join(f'"{c}" = :{c}' for c in row if c != "id")
        if element.thread_id:
            # under load an answer's passages can arrive before its thread row: PostgreSQL's foreign key then refused
            # them (lost from the reopened thread). Upsert the thread first, as Chainlit's create_step does.
            await self.update_thread(element.thread_id)
        await self.execute_sql(
            f"INSERT INTO elements ({columns}) VALUES ({values}) ON CONFLICT (id) DO UPDATE SET {updates};", row)

    def _inside_upload_roots(self, path: str) -> bool:
        resolved = Path(path).resolve()
        return any(resolved.is_relative_to(root) for root in self.upload_roots) and resolved.is_file()

    # -- the one upstream query built by concatenation ---------------------------------------------------
    async def get_all_user_threads(self, user_id: str | None = None,
                                   thread_id: str | None = None) -> list[ThreadDict] | None:
        """The user's threads (or one thread by id) with steps, feedback and elements; all values bound."""
        require_uuid(user_id, what="user id")
        require_uuid(thread_id, what="thread id")
        threads = await self.execute_sql("""
            SELECT t."id" AS thread_id, t."createdAt" AS thread_createdat, t."name" AS thread_name,
                   t."userId" AS user_id, t."userIdentifier" AS user_identifier, t."tags" AS thread_tags,
                   t."metadata" AS thread_metadata, MAX(s."createdAt") AS updatedAt
            FROM threads t LEFT JOIN steps s ON t."id" = s."threadId"
            WHERE t."userId" = :user_id OR t."id" = :thread_id
            GROUP BY t."id", t."createdAt", t."name", t."userId", t."userIdentifier", t."tags", t."metadata"
            ORDER BY updatedAt DESC NULLS LAST
            LIMIT :limit""", {"user_id": user_id, "thread_id": thread_id, "limit": self.user_thread_limit})
        if not isinstance(threads, list):
            return None
        ids = [str(t["thread_id"]) for t in threads if is_uuid(str(t["thread_id"]))]
        if not ids:
            return []
        marks, params = _placeholders("t", ids)
        steps = await self.execute_sql(_STEP_SELECT.format(ids=marks), params)
        elements = await self.execute_sql(_ELEMENT_SELECT.format(ids=marks), params)
        out: dict[str, ThreadDict] = {
            str(t["thread_id"]): ThreadDict(
                id=str(t["thread_id"]), createdAt=t["thread_createdat"], name=t["thread_name"], userId=t["user_id"],
                userIdentifier=t["user_identifier"], tags=t["thread_tags"], metadata=t["thread_metadata"],
                steps=[], elements=[])
            for t in threads if str(t["thread_id"]) in ids
        }
        for row in steps if isinstance(steps, list) else []:
            if row["step_threadid"] in out:
                out[row["step_threadid"]]["steps"].append(_step(row))
        for row in elements if isinstance(elements, list) else []:
            if row["element_threadid"] in out:
                out[row["element_threadid"]].setdefault("elements", []).append(  # type: ignore[union-attr]
                    await self._element(row))  # type: ignore[arg-type]
        return list(out.values())

    async def _element(self, row: dict[str, Any]) -> dict[str, Any]:
        url = row.get("element_url")
        key = row.get("element_objectkey")
        if self.storage_provider is not None and isinstance(key, str) and key.strip():
            url = await self.storage_provider.get_read_url(object_key=key)
        return {"id": row["element_id"], "threadId": row["element_threadid"], "type": row["element_type"],
                "chainlitKey": row.get("element_chainlitkey"), "url": url, "objectKey": key,
                "name": row["element_name"], "display": row["element_display"], "size": row.get("element_size"),
                "language": row.get("element_language"), "page": row.get("element_page"),
                "props": row.get("props", "{}"), "forId": row.get("element_forid"), "mime": row.get("element_mime")}


def _step(row: dict[str, Any]) -> StepDict:
    feedback = None
    if row["feedback_value"] is not None:
        feedback = FeedbackDict(forId=row["step_id"], id=row.get("feedback_id"), value=row["feedback_value"],
                                comment=row.get("feedback_comment"))
    show_input = row.get("step_showinput")
    return {
        "id": row["step_id"], "name": row["step_name"], "type": row["step_type"], "threadId": row["step_threadid"],
        "parentId": row.get("step_parentid"), "streaming": row.get("step_streaming", False),
        "waitForAnswer": row.get("step_waitforanswer"), "isError": row.get("step_iserror"),
        "metadata": row["step_metadata"] if row.get("step_metadata") is not None else {},
        "tags": row.get("step_tags"), "input": row.get("step_input", "") if show_input not in (None, "false") else "",
        "output": row.get("step_output", ""), "createdAt": row.get("step_createdat"), "start": row.get("step_start"),
        "end": row.get("step_end"), "generation": row.get("step_generation"), "showInput": show_input,
        "language": row.get("step_language"), "feedback": feedback,
    }
