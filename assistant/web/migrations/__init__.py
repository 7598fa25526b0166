"""Alembic migrations of the chat-history schema (SQLite and PostgreSQL); run by `assistant.web.persistence.upgrade`."""
