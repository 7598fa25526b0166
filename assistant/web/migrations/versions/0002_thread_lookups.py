"""Indexes for what every page of the history asks: a user's threads (the sidebar, the access check) and a
thread's steps, elements and feedback (reopening it). Several app instances share one database; without them each
lookup scans the whole table.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_threads_userIdentifier", "threads", "userIdentifier"),
    ("ix_threads_userId", "threads", "userId"),
    ("ix_steps_threadId", "steps", "threadId"),
    ("ix_elements_threadId", "elements", "threadId"),
    ("ix_feedbacks_threadId", "feedbacks", "threadId"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], if_not_exists=True)


def downgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
