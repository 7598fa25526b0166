"""Schema migrations (issue #10): Alembic brings a fresh database, and one the app created by hand before migrations
existed, to the newest revision on SQLite and PostgreSQL, losing no row; `coop-assistant db upgrade` does the same."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import uuid

from sqlalchemy import inspect, pool, text
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from assistant.cli import app
from assistant.web.persistence import MIGRATIONS, head, revision_of, run_apart, upgrade


def _pre_migration_tables() -> tuple[str, ...]:
    """The statements the app ran at start before migrations existed (kept verbatim in the first revision)."""
    spec = importlib.util.spec_from_file_location("first", MIGRATIONS / "versions" / "0001_chat_history.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tuple(module.TABLES)


def _sql(url: str, *statements: str, params: list[dict[str, object]] | None = None) -> list[tuple[object, ...]]:
    async def run() -> list[tuple[object, ...]]:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        try:
            async with engine.begin() as conn:
                rows: list[tuple[object, ...]] = []
                for n, statement in enumerate(statements):
                    result = await conn.execute(text(statement), (params or [{}] * len(statements))[n])
                    if result.returns_rows:
                        rows += [tuple(r) for r in result.fetchall()]
                return rows
        finally:
            await engine.dispose()

    return run_apart(asyncio.run, run())  # a thread of its own: the browser tests leave an event loop in this one


def _indexes(url: str, table: str) -> set[str]:
    async def run() -> set[str]:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        try:
            async with engine.connect() as conn:
                found = await conn.run_sync(lambda c: inspect(c).get_indexes(table))
                return {str(i["name"]) for i in found}
        finally:
            await engine.dispose()

    return run_apart(asyncio.run, run())  # a thread of its own: the browser tests leave an event loop in this one


def test_a_fresh_database_reaches_the_newest_revision(db_url: str) -> None:
    assert revision_of(db_url) is None
    upgrade(db_url)
    assert revision_of(db_url) == head() == "0002"
    assert "ix_steps_threadId" in _indexes(db_url, "steps")
    upgrade(db_url)  # idempotent
    assert revision_of(db_url) == head()


def test_an_old_hand_made_database_keeps_every_row(db_url: str) -> None:
    user, thread, step, feedback = (str(uuid.uuid4()) for _ in range(4))
    _sql(db_url, *_pre_migration_tables())
    _sql(db_url,
         'INSERT INTO users ("id", "identifier", "metadata", "createdAt") VALUES (:id, :who, :meta, :at)',
         'INSERT INTO threads ("id", "name", "userId", "userIdentifier", "metadata") VALUES (:id, :name, :user, :who, :m)',
         'INSERT INTO steps ("id", "name", "type", "threadId", "streaming", "input", "output") '
         'VALUES (:id, :name, :type, :thread, :streaming, :input, :output)',
         'INSERT INTO feedbacks ("id", "forId", "threadId", "value", "comment") VALUES (:id, :step, :thread, 1, :c)',
         params=[{"id": user, "who": "guest-a", "meta": json.dumps({"role": "guest"}), "at": "2026-11-01"},
                 {"id": thread, "name": "LinkedIn ads", "user": user, "who": "guest-a", "m": "{}"},
                 {"id": step, "name": "user", "type": "user_message", "thread": thread, "streaming": False,
                  "input": "", "output": "Können wir LinkedIn-Anzeigen mit Co-op bezahlen?"},
                 {"id": feedback, "step": step, "thread": thread, "c": "hilfreich"}])
    assert revision_of(db_url) is None  # made by hand: never migrated
    upgrade(db_url)
    assert revision_of(db_url) == head()
    assert _sql(db_url, 'SELECT "identifier" FROM users') == [("guest-a",)]
    assert _sql(db_url, 'SELECT "name", "userIdentifier" FROM threads') == [("LinkedIn ads", "guest-a")]
    assert _sql(db_url, 'SELECT "output" FROM steps') == [("Können wir LinkedIn-Anzeigen mit Co-op bezahlen?",)]
    assert _sql(db_url, 'SELECT "comment", "value" FROM feedbacks') == [("hilfreich", 1)]
    assert {"ix_threads_userIdentifier", "ix_threads_userId"} <= _indexes(db_url, "threads")


def test_db_upgrade_command(db_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COOP_DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert revision_of(db_url) == head()
    assert head() in result.output
    current = CliRunner().invoke(app, ["db", "current"])
    assert current.exit_code == 0 and head() in current.output


def test_an_unsupported_url_is_refused_with_a_clear_message(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COOP_DATABASE_URL", "mysql://root@127.0.0.1/coop")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "sqlite+aiosqlite or postgresql+asyncpg" in result.output
