"""The optional chat model: any OpenAI-compatible endpoint from settings, or none."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from assistant.config import Settings


def chat_model(settings: Settings) -> BaseChatModel | None:
    """ChatOpenAI for the configured endpoint, or None when no endpoint is configured (the default)."""
    if not settings.llm_enabled:
        return None
    from langchain_openai import ChatOpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=key,  # type: ignore[arg-type]
        timeout=settings.llm_timeout,
        max_retries=0,
        temperature=0,
    )
