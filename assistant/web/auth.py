"""Staff logins: PBKDF2 password hashes from settings (never plain passwords, never in the repo)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

ITERATIONS = 260_000


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt_b64, digest_b64 = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), base64.b64decode(salt_b64), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def check_staff(users: dict[str, str], name: str, password: str) -> bool:
    stored = users.get(name)
    if stored is None:
        verify_password(password, hash_password("timing-equaliser"))  # same work for unknown names
        return False
    return verify_password(password, stored)
