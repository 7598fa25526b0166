"""A guest driving a running server as the page would: header login over HTTP, chat over socket.io (used by the
browser-free end-to-end tests and by `coop-assistant load`; needs python-socketio, installed by `make install`)."""

from __future__ import annotations

import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from typing import Any

import socketio

_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def guest_cookie(base_url: str) -> str:
    """A fresh guest identity: the `access_token` cookie set by POST /auth/header."""
    req = urllib.request.Request(base_url + "/auth/header", data=b"", method="POST")
    with _HTTP.open(req, timeout=30) as resp:
        for header in resp.headers.get_all("set-cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == "access_token":
                return "access_token=" + rest.split(";")[0]
    raise AssertionError("no access_token cookie from /auth/header")


def http(method: str, url: str, cookie: str | None = None, body: bytes | None = None,
         content_type: str = "application/json") -> tuple[int, bytes]:
    headers = {"content-type": content_type} | ({"cookie": cookie} if cookie else {})
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with _HTTP.open(req, timeout=30) as resp:
            return int(resp.status), resp.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


class GuestSocket:
    """One chat session; `ask` sends a user message and returns the assistant's next message text."""

    def __init__(self, base_url: str, cookie: str, thread_id: str | None = None, language: str = "de-DE") -> None:
        self.thread_id = thread_id or str(uuid.uuid4())
        self.messages: list[dict[str, Any]] = []
        self.arrived = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("new_message", self._on_message)
        self.client.on("update_message", self._on_message)  # a streamed answer is complete at its update
        self.client.connect(
            base_url, socketio_path="/ws/socket.io", transports=["websocket"], wait_timeout=30,
            headers={"Cookie": cookie, "Accept-Language": language},
            auth={"clientType": "webapp", "sessionId": str(uuid.uuid4()), "threadId": self.thread_id,
                  "userEnv": "{}", "chatProfile": None})
        self.client.emit("connection_successful")

    def _on_message(self, data: dict[str, Any]) -> None:
        if data.get("type") == "assistant_message" and data.get("output"):
            known = [n for n, m in enumerate(self.messages) if m.get("id") == data.get("id")]
            if known:  # a later update of a message already seen: its text, not a new reply
                self.messages[known[0]] = data
            else:
                self.messages.append(data)
            self.arrived.set()

    def ask(self, text: str, timeout: float = 60) -> str:
        self.arrived.clear()
        seen = len(self.messages)
        step = {"id": str(uuid.uuid4()), "threadId": self.thread_id, "name": "User", "type": "user_message",
                "output": text, "createdAt": datetime.now(UTC).isoformat()}
        self.client.emit("client_message", {"message": step, "fileReferences": None})
        deadline = time.monotonic() + timeout
        while len(self.messages) <= seen:
            if time.monotonic() > deadline:
                raise AssertionError(f"no assistant message within {timeout:.0f} s")
            self.arrived.wait(0.2)
        return str(self.messages[seen].get("output", ""))

    def close(self) -> None:
        self.client.disconnect()
