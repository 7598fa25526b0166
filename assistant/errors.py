"""The exception hierarchy: one root, a few typed subclasses whose messages say what to do next."""


class AssistantError(Exception):
    """Root of every error this package raises on purpose."""


class InputError(AssistantError):
    """The question cannot be processed as given (empty, too long, not text); `code` names which, `params` the
    numbers in the message (so the reply can be given in the question's language)."""

    def __init__(self, message: str, code: str = "input", **params: int) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class RulesError(AssistantError):
    """The rule base is invalid; the message names the file and the rule."""


class KnowledgeError(AssistantError):
    """The knowledge base (knowledge/ and its manifest) is missing or inconsistent."""


class IndexStoreError(AssistantError):
    """The retrieval index cannot be opened or built."""


class LLMError(AssistantError):
    """The configured language model failed; callers fall back to the deterministic reply."""


class YamlError(AssistantError):
    """A YAML data file is unreadable, malformed or has duplicate keys."""
