"""Chat history and feedback: the schema Chainlit's SQLAlchemy data layer writes to (SQLite and PostgreSQL), kept by
Alembic migrations (`assistant/web/migrations`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def sqlite_path(url: str) -> Path | None:
    prefix = "sqlite+aiosqlite:///"
    return Path(url[len(prefix):]) if url.startswith(prefix) else None


MIGRATIONS = Path(__file__).with_name("migrations")
SUPPORTED = ("sqlite+aiosqlite://", "postgresql+asyncpg://")
# seconds a SQLite connection waits for another's lock (sqlite3's `timeout`; its default is 5)
SQLITE_BUSY_SECONDS = 30.0


def _config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the chat-history schema of `url` (`sqlite+aiosqlite:///…` or `postgresql+asyncpg://…`) to `revision` with
    the Alembic migrations in `migrations/` (idempotent; a database the app created before migrations existed is
    adopted with its rows). Runs in a thread of its own, so it works from inside a running event loop too.

    Raises ValueError for any other database URL; the driver's error when the database cannot be reached.
    """
    if not url.startswith(SUPPORTED):
        raise ValueError(f"unsupported database URL {url.split('://')[0]}://…: use sqlite+aiosqlite or postgresql+asyncpg")
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    from alembic import command

    run_apart(command.upgrade, _config(url), revision)
    if path is not None:
        # write-ahead logging, kept in the file: readers do not block the writer (sqlite.org/wal.html); set here, once,
        # as changing it needs the database to itself
        import sqlite3

        with contextlib.closing(sqlite3.connect(path, timeout=SQLITE_BUSY_SECONDS)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")


def revision_of(url: str) -> str | None:
    """The migration revision the database at `url` is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import pool
    from sqlalchemy.ext.asyncio import create_async_engine

    async def read() -> str | None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
        finally:
            await engine.dispose()

    result: str | None = run_apart(asyncio.run, read())
    return result


def head() -> str:
    """The newest revision shipped in `migrations/versions`."""
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(_config("sqlite+aiosqlite://")).get_current_head())


def run_apart(fn: Callable[..., T], *args: Any) -> T:
    """Call `fn(*args)` in a worker thread and wait: Alembic's environment runs its own event loop, which cannot nest
    in the caller's (the Chainlit server's)."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result(timeout=120)
