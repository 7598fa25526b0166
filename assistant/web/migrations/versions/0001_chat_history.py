"""The chat-history tables Chainlit's SQLAlchemy data layer writes (chainlit 2.12: users, threads, steps, elements,
feedbacks), as the app created them by hand before migrations existed. `IF NOT EXISTS`: a database from that time
is adopted with its rows.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Ids are TEXT holding UUIDs (checked by assistant.web.datalayer); JSON values are stored as text on both databases.
TABLES = (
    """CREATE TABLE IF NOT EXISTS users (
    "id" TEXT PRIMARY KEY, "identifier" TEXT NOT NULL UNIQUE, "metadata" TEXT NOT NULL, "createdAt" TEXT)""",
    """CREATE TABLE IF NOT EXISTS threads (
    "id" TEXT PRIMARY KEY, "createdAt" TEXT, "name" TEXT, "userId" TEXT, "userIdentifier" TEXT,
    "tags" TEXT, "metadata" TEXT,
    FOREIGN KEY ("userId") REFERENCES users("id") ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS steps (
    "id" TEXT PRIMARY KEY, "name" TEXT NOT NULL, "type" TEXT NOT NULL, "threadId" TEXT NOT NULL,
    "parentId" TEXT, "command" TEXT, "modes" TEXT, "streaming" BOOLEAN NOT NULL, "waitForAnswer" BOOLEAN,
    "isError" BOOLEAN, "metadata" TEXT, "tags" TEXT, "input" TEXT, "output" TEXT, "createdAt" TEXT,
    "start" TEXT, "end" TEXT, "generation" TEXT, "showInput" TEXT, "defaultOpen" BOOLEAN,
    "autoCollapse" BOOLEAN, "language" TEXT, "icon" TEXT, "feedback" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS elements (
    "id" TEXT PRIMARY KEY, "threadId" TEXT, "type" TEXT, "chainlitKey" TEXT, "path" TEXT, "url" TEXT,
    "objectKey" TEXT, "name" TEXT NOT NULL, "display" TEXT, "size" TEXT, "language" TEXT, "page" INTEGER,
    "props" TEXT, "autoPlay" BOOLEAN, "playerConfig" TEXT, "forId" TEXT, "mime" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS feedbacks (
    "id" TEXT PRIMARY KEY, "forId" TEXT NOT NULL, "threadId" TEXT NOT NULL, "value" INTEGER NOT NULL,
    "comment" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE)""",
)


def upgrade() -> None:
    for statement in TABLES:
        op.execute(statement)


def downgrade() -> None:
    for table in ("feedbacks", "elements", "steps", "threads", "users"):
        op.drop_table(table)
