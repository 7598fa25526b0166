"""A throwaway Chroma server on 127.0.0.1 (`chroma run`, shipped in the chromadb package)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from assistant.loadrun import free_port

_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ChromaServer:
    """`chroma run --path <temp folder>` on a free port; `start` waits for its heartbeat."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(tempfile.mkdtemp(prefix="coop-chroma-"))
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> ChromaServer:
        chroma = Path(sys.executable).parent / "chroma"
        self.proc = subprocess.Popen([str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            try:
                _HTTP.open(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1).read()
                return self
            except OSError as exc:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("the Chroma server did not start") from exc
                time.sleep(0.3)

    def env(self) -> dict[str, str]:
        return {"COOP_CHROMA_HOST": "127.0.0.1", "COOP_CHROMA_PORT": str(self.port)}

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
