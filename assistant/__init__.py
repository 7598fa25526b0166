"""Co-op eligibility assistant: deterministic rule checker plus retrieval over the guidance."""

__version__ = "0.1.0"
