"""A tiny OpenAI-compatible chat server on 127.0.0.1 for tests: scripted replies, tool calls, delays, errors."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    content: str | None = None
    tool: tuple[str, dict[str, Any]] | None = None  # (function name, arguments)
    status: int = 200
    delay: float = 0.0
    trickle: float = 0.0  # seconds between single bytes of the body (a slow endpoint)


@dataclass
class FakeOpenAI:
    replies: deque[Scripted] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def push(self, *items: Scripted) -> None:
        self.replies.extend(items)

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                item = fake.replies.popleft() if fake.replies else Scripted(content="")
                if item.delay:
                    time.sleep(item.delay)
                if item.status != 200:
                    self._send(item.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                    return
                message: dict[str, Any] = {"role": "assistant", "content": item.content}
                if item.tool:
                    name, args = item.tool
                    message = {"role": "assistant", "content": None, "tool_calls": [
                        {"id": "call_1", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}]}
                self._send(200, trickle=item.trickle, payload={
                    "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()), "model": body["model"],
                    "choices": [{"index": 0, "message": message,
                                 "finish_reason": "tool_calls" if item.tool else "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                })

            def _send(self, status: int, payload: dict[str, Any], trickle: float = 0.0) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if not trickle:
                        self.wfile.write(data)
                    for n in range(len(data) if trickle else 0):
                        self.wfile.write(data[n:n + 1])
                        self.wfile.flush()
                        time.sleep(trickle)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # shutdown() waits for the loop's next poll: 0.05 s, not the default 0.5 s, at every test's end
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
