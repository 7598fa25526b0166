"""One engine per process for the web UI and the JSON API, built lazily on first use."""

from __future__ import annotations

import threading

from assistant.config import Settings
from assistant.engine import Assistant
from assistant.knowledge import load_knowledge
from assistant.rules.loader import load_rules

_lock = threading.Lock()
_assistant: Assistant | None = None


def check_data(settings: Settings) -> None:
    """Prove the knowledge base and the rule base before serving (cheap: no model, no index).

    Raises KnowledgeError/RulesError naming the file and rule, so a broken rules file stops
    the server at start instead of leaving it half-working.
    """
    knowledge = load_knowledge(settings.knowledge_dir)
    load_rules(settings.rules_dir, knowledge)


def get_assistant(settings: Settings | None = None) -> Assistant:
    global _assistant
    with _lock:
        if _assistant is None:
            _assistant = Assistant(settings or Settings())
        return _assistant
