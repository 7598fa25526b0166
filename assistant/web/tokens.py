"""Bearer tokens for `POST /api/check` (staff tools, CRMs): hashed in settings, revocable, rate-limited.

A token is `coop_<43 url-safe characters>` (256 random bits); settings keep only its SHA-256
(`sha256$<hex>`, safe for high-entropy secrets, as GitHub and PyPI store API tokens), keyed by a
name: `COOP_API_TOKENS='{"crm": "sha256$…"}'`. Revoking keeps the entry and lists the name in
`COOP_API_TOKENS_REVOKED` so the caller gets 403 ("revoked") rather than 401 ("unknown").
The per-token limit is a moving window (the `limits` library), `COOP_API_RATE` (e.g. "60/minute").
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import dataclass

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

PREFIX = "coop_"


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return "sha256$" + hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenCheck:
    """Outcome of one request's token: status 200 (go on), 401, 403 or 429 with a reason and Retry-After seconds."""

    status: int
    reason: str = ""
    name: str | None = None
    retry_after: int = 0


class TokenGate:
    """Checks `Authorization: Bearer <token>` against hashed tokens and applies the per-token rate limit."""

    def __init__(self, tokens: dict[str, str], revoked: list[str], rate: str) -> None:
        self.tokens = dict(tokens)
        self.revoked = set(revoked)
        self.limit = parse(rate)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, authorization: str | None) -> TokenCheck:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return TokenCheck(401, "send 'Authorization: Bearer <token>' (create one with `coop-assistant create-token NAME`)")
        presented = hash_token(token.strip())
        name = next((n for n, h in self.tokens.items() if hmac.compare_digest(h, presented)), None)
        if name is None:
            return TokenCheck(401, "unknown token")
        if name in self.revoked:
            return TokenCheck(403, f"token {name!r} has been revoked")
        if not self.limiter.hit(self.limit, name):
            reset = self.limiter.get_window_stats(self.limit, name).reset_time
            return TokenCheck(429, f"rate limit {self.limit} reached for token {name!r}", name,
                              max(1, math.ceil(reset - time.time())))
        return TokenCheck(200, name=name)
