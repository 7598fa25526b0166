"""Identifiers that reach SQL, storage keys or URLs: UUIDs only, checked at every entry point."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

# JSON keys whose values Chainlit's client sends as ids (thread, step, element, feedback, cursor)
ID_KEYS = frozenset({"id", "threadId", "forId", "parentId", "feedbackId", "elementId", "cursor"})
# free-form parts of a payload (an action's payload, an element's props, metadata): not ids
FREE_KEYS = frozenset({"payload", "props", "metadata", "env", "userEnv"})


class InvalidIdError(ValueError):
    """An id that is not a canonical UUID (e.g. a thread id carrying SQL)."""


def is_uuid(value: object) -> bool:
    """True for a canonical UUID string (36 characters, hex and hyphens, as `str(uuid.uuid4())` writes it)."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def require_uuid(*values: object, what: str = "id") -> None:
    """Raise InvalidIdError unless every value that is not None is a canonical UUID."""
    for value in values:
        if value is not None and not is_uuid(value):
            raise InvalidIdError(f"{what} must be a UUID, got {str(value)[:60]!r}")


def bad_ids(payload: Any, path: str = "") -> Iterator[str]:
    """Paths of every id-like key (ID_KEYS) in a JSON payload whose value is a string but not a UUID."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            where = f"{path}.{key}" if path else str(key)
            if key in FREE_KEYS:
                continue
            if key in ID_KEYS and isinstance(value, str) and not is_uuid(value):
                yield where
            else:
                yield from bad_ids(value, where)
    elif isinstance(payload, list):
        for n, item in enumerate(payload):
            yield from bad_ids(item, f"{path}[{n}]")
