"""Browser tests: a real `chainlit run` server in a subprocess and headless Debian Chromium via Playwright.

Everything stays on 127.0.0.1: the server gets its own COOP_DATA_DIR in a temp folder, the browser's
requests are recorded and checked. Screenshots of failures and the start-up timing go to test-artifacts/.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from assistant.loadrun import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
STAFF_USER = "staff1"
STAFF_PASSWORD = "e2e-Staff-Passwort-7"  # only ever hashed into this test server's environment
API_TOKEN = "coop_e2e-api-token"  # only ever hashed into this test server's environment
READY_TIMEOUT = 120.0
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
IGNORED_SCHEMES = {"data", "blob", "about", "mailto"}

# plain urllib, never through a proxy from the environment (the suite's socket guard allows loopback only)
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_SERVERS: list[Server] = []
_OPEN_CHATS: list[Chat] = []


# -- server -------------------------------------------------------------------------------------------------
def http_status(method: str, url: str, body: dict[str, Any] | None = None, timeout: float = 5.0) -> int | None:
    """Status code of one request, or None when nothing answers yet."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"content-type": "application/json", "authorization": f"Bearer {API_TOKEN}"}
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with _HTTP.open(req, timeout=timeout) as resp:
            resp.read()
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def server_env(data_dir: Path) -> dict[str, str]:
    """The load run's server environment (`assistant.loadrun.server_env`) plus the test's staff login and API token."""
    from assistant.loadrun import server_env as base_env
    from assistant.web.auth import hash_password
    from assistant.web.tokens import hash_token

    return base_env(data_dir) | {
        "COOP_STAFF_USERS": json.dumps({STAFF_USER: hash_password(STAFF_PASSWORD)}),
        "COOP_API_TOKENS": json.dumps({"e2e": hash_token(API_TOKEN)}),
        "PYTHONUNBUFFERED": "1",
    }


class Server:
    """One `chainlit run assistant/app.py` process on a free port of 127.0.0.1."""

    def __init__(self, data_dir: Path, log_path: Path, label: str, extra_env: dict[str, str] | None = None) -> None:
        self.extra_env = extra_env or {}
        self.data_dir = data_dir
        self.log_path = log_path
        self.label = label
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.first_answer_seconds: float | None = None
        self.stopped_on_purpose = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "chainlit.db"

    def start(self) -> Server:
        self.port = free_port()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        log.write(f"=== {self.label}: port {self.port}, data {self.data_dir} ===\n".encode())
        log.flush()
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [str(PROJECT_ROOT / ".venv/bin/chainlit"), "run", "assistant/app.py", "--headless",
             "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=PROJECT_ROOT, env=server_env(self.data_dir) | self.extra_env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        _SERVERS.append(self)
        return self

    def _check_alive(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"the server ({self.label}) exited with {self.proc.returncode}:\n{self.log_tail()}")

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> float:
        """Wait for /health, then for the first real answer of /api/check (engine loaded); returns the seconds."""
        deadline = self.started + timeout
        while http_status("GET", f"{self.url}/health", timeout=2) != 200:
            self._check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"/health not 200 after {timeout:.0f} s ({self.label}):\n{self.log_tail()}")
            time.sleep(0.25)
        while True:
            self._check_alive()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"/api/check gave no answer within {timeout:.0f} s ({self.label}):\n{self.log_tail()}")
            status = http_status("POST", f"{self.url}/api/check", {"question": "Messestand?"}, timeout=min(remaining, 60))
            if status == 200:
                break
            time.sleep(0.25)
        self.first_answer_seconds = time.monotonic() - self.started
        record_timing(self)
        return self.first_answer_seconds

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.stopped_on_purpose = True
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return f"(no log: {exc})"
        return "\n".join(text.splitlines()[-lines:])


def record_timing(server: Server) -> None:
    line = (f"{datetime.now().isoformat(sep=' ', timespec='seconds')}  {server.label}: first /api/check answer "
            f"{server.first_answer_seconds:.1f} s after process start (port {server.port})")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / "timings.txt").open("a", encoding="utf-8") as f:
        f.write(line + "\n")
    print(line)


def start_server(data_dir: Path, log_path: Path, label: str, extra_env: dict[str, str] | None = None) -> Server:
    server = Server(data_dir, log_path, label, extra_env).start()
    try:
        server.wait_ready()
    except BaseException:
        print(server.log_tail())
        server.stop()
        raise
    return server


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The shared server for the module, once with its chat history in SQLite and once in a fresh PostgreSQL
    database (issue #10: the web suite on both); fresh COOP_DATA_DIR, so the first start builds the index."""
    base = tmp_path_factory.mktemp(f"e2e-server-{request.param}")
    extra: dict[str, str] = {}
    if request.param == "postgresql":
        pg = request.getfixturevalue("postgres")
        extra["COOP_DATABASE_URL"] = pg.create_database(f"e2e_{base.name.lower().replace('-', '_')[-40:]}")
    srv = start_server(base / "data", base / "server.log", f"shared server ({request.param}), fresh COOP_DATA_DIR",
                       extra)
    yield srv
    srv.stop()


# -- browser ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        # fail, not skip: a missing install step must not hide behind a green run
        pytest.fail(f"{CHROMIUM} not installed: run `make browser-deps` (Debian package chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in IGNORED_SCHEMES:
        return True
    return parsed.hostname in LOCAL_HOSTS


class Chat:
    """One browser context (own cookies, own locale) with one page; records every request it makes."""

    def __init__(self, browser: Any, locale: str, base_url: str) -> None:
        self.base_url = base_url
        self.locale = locale
        self.context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 1100})
        self.context.set_default_timeout(20_000)
        self.requests: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("websocket", lambda ws: self.requests.append(ws.url))
        _OPEN_CHATS.append(self)

    def outside_requests(self) -> list[str]:
        return sorted({u for u in self.requests if not is_local(u)})

    def assert_only_local_requests(self) -> None:
        assert self.requests, "the browser recorded no request at all: the recorder is broken"
        assert self.outside_requests() == [], f"requests to other hosts than 127.0.0.1: {self.outside_requests()}"

    def close(self) -> None:
        if self in _OPEN_CHATS:
            _OPEN_CHATS.remove(self)
        self.context.close()


@pytest.fixture()
def new_chat(browser: Any) -> Iterator[Callable[[str, str], Chat]]:
    """Factory for Chats that are closed after the test; every one must stay on 127.0.0.1."""
    made: list[Chat] = []

    def make(locale: str, base_url: str) -> Chat:
        chat = Chat(browser, locale, base_url)
        made.append(chat)
        return chat

    yield make
    outside = [u for c in made for u in c.outside_requests()]
    for chat in made:
        chat.close()
    if outside:
        pytest.fail(f"the browser made requests to other hosts than 127.0.0.1: {outside}")


# -- database -----------------------------------------------------------------------------------------------
def query_db(db_path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if not db_path.exists():
        return []
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # locked or table not there yet: the poller tries again
        return []
    finally:
        db.close()


# -- reporting ----------------------------------------------------------------------------------------------
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed or rep.when not in {"setup", "call"}:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for n, chat in enumerate(list(_OPEN_CHATS)):
        path = ARTIFACTS / f"failure-{item.name}-{n}.png"
        try:
            chat.page.screenshot(path=str(path), full_page=True)
            rep.sections.append((f"screenshot {n}", f"{path} (page {chat.page.url})"))
        except Exception as exc:  # noqa: BLE001 - the page may be gone; the failure itself matters more
            rep.sections.append((f"screenshot {n}", f"not possible: {exc}"))
    for srv in _SERVERS:
        if srv.alive or not srv.stopped_on_purpose:
            rep.sections.append((f"server log tail ({srv.label}, port {srv.port})", srv.log_tail(40)))

