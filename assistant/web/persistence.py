"""Chat history and feedback: the SQL schema Chainlit's SQLAlchemy data layer writes to (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

# Every column the data layer writes (chainlit 2.12 StepDict / ElementDict / Feedback);
# a missing column would only log a warning and drop the row. Ids are TEXT holding UUIDs
# (checked by assistant.web.datalayer); JSON values are stored as text on both databases.
SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    "id" TEXT PRIMARY KEY, "identifier" TEXT NOT NULL UNIQUE, "metadata" TEXT NOT NULL, "createdAt" TEXT);
CREATE TABLE IF NOT EXISTS threads (
    "id" TEXT PRIMARY KEY, "createdAt" TEXT, "name" TEXT, "userId" TEXT, "userIdentifier" TEXT,
    "tags" TEXT, "metadata" TEXT,
    FOREIGN KEY ("userId") REFERENCES users("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS steps (
    "id" TEXT PRIMARY KEY, "name" TEXT NOT NULL, "type" TEXT NOT NULL, "threadId" TEXT NOT NULL,
    "parentId" TEXT, "command" TEXT, "modes" TEXT, "streaming" BOOLEAN NOT NULL, "waitForAnswer" BOOLEAN,
    "isError" BOOLEAN, "metadata" TEXT, "tags" TEXT, "input" TEXT, "output" TEXT, "createdAt" TEXT,
    "start" TEXT, "end" TEXT, "generation" TEXT, "showInput" TEXT, "defaultOpen" BOOLEAN,
    "autoCollapse" BOOLEAN, "language" TEXT, "icon" TEXT, "feedback" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS elements (
    "id" TEXT PRIMARY KEY, "threadId" TEXT, "type" TEXT, "chainlitKey" TEXT, "path" TEXT, "url" TEXT,
    "objectKey" TEXT, "name" TEXT NOT NULL, "display" TEXT, "size" TEXT, "language" TEXT, "page" INTEGER,
    "props" TEXT, "autoPlay" BOOLEAN, "playerConfig" TEXT, "forId" TEXT, "mime" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS feedbacks (
    "id" TEXT PRIMARY KEY, "forId" TEXT NOT NULL, "threadId" TEXT NOT NULL, "value" INTEGER NOT NULL,
    "comment" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
"""


def sqlite_path(url: str) -> Path | None:
    prefix = "sqlite+aiosqlite:///"
    return Path(url[len(prefix):]) if url.startswith(prefix) else None


def ensure_schema(url: str) -> None:
    """Create the tables (idempotent) for `sqlite+aiosqlite:///…` or `postgresql+asyncpg://…` URLs.

    Raises ValueError for any other database URL.
    """
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as db:
            db.executescript(SCHEMA)
        return
    if url.startswith("postgresql+asyncpg://"):
        _run_apart(_postgres_schema(url))
        return
    raise ValueError(f"unsupported database URL {url.split('://')[0]}://…: use sqlite+aiosqlite or postgresql+asyncpg")


async def _postgres_schema(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute(SCHEMA)
    finally:
        await conn.close()


def _run_apart(coro: object) -> None:
    """Run a coroutine to completion from sync code, also when the caller's thread has a running loop."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coro).result(timeout=60)  # type: ignore[arg-type]
