"""The optional chat model: any OpenAI-compatible endpoint from settings, or none; every call has a deadline.

`COOP_LLM_TIMEOUT` (seconds) bounds the whole model call, not each read: `invoke_within` returns
or raises by then (wall clock), and the HTTP transport aborts a response still trickling in after it,
so a slow endpoint neither holds the reply nor a worker thread for long.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable

from assistant.config import Settings
from assistant.errors import LLMError

_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="llm-call")


class _DeadlineStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, deadline: float) -> None:
        self.inner = inner
        self.deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            if time.monotonic() > self.deadline:
                raise httpx.ReadTimeout("the model's response passed the deadline")
            yield chunk

    def close(self) -> None:
        self.inner.close()


class DeadlineTransport(httpx.BaseTransport):
    """httpx transport whose requests (connect, headers, body) must finish within `seconds` in total."""

    def __init__(self, seconds: float, inner: httpx.BaseTransport | None = None) -> None:
        self.seconds = seconds
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = time.monotonic() + self.seconds
        request.extensions["timeout"] = {k: self.seconds for k in ("connect", "read", "write", "pool")}
        response = self.inner.handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _DeadlineStream(response.stream, deadline)
        return response

    def close(self) -> None:
        self.inner.close()


def invoke_within(runnable: Runnable, inputs: Any, seconds: float) -> Any:
    """`runnable.invoke(inputs)`, or LLMError once `seconds` of wall-clock time have passed."""
    future = _pool.submit(runnable.invoke, inputs)
    try:
        return future.result(timeout=seconds)
    except FuturesTimeout as exc:
        future.cancel()
        raise LLMError(f"the model gave no complete answer within {seconds:g} s") from exc


def deadline_of(llm: BaseChatModel | None) -> float | None:
    """The whole-call deadline (seconds) configured on a model built by `chat_model`; None for other models."""
    value = getattr(llm, "request_timeout", None)
    return float(value) if isinstance(value, int | float) else None


def call(runnable: Runnable, inputs: Any, seconds: float | None) -> Any:
    """Invoke with the deadline when there is one."""
    return invoke_within(runnable, inputs, seconds) if seconds else runnable.invoke(inputs)


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
        http_client=httpx.Client(transport=DeadlineTransport(settings.llm_timeout)),
    )
