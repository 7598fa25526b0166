"""One engine per process for the web UI and the JSON API, built lazily on first use."""

from __future__ import annotations

import threading

from assistant.config import Settings
from assistant.engine import Assistant

_lock = threading.Lock()
_assistant: Assistant | None = None


def get_assistant(settings: Settings | None = None) -> Assistant:
    global _assistant
    with _lock:
        if _assistant is None:
            _assistant = Assistant(settings or Settings())
        return _assistant
