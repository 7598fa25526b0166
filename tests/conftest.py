"""Shared fixtures: every data path in a temporary folder, no network beyond 127.0.0.1, one assistant per session."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings

_real_connect = socket.socket.connect
# the e2e servers append their start-up timings here (tests/e2e/conftest.py); where this run's lines begin: the servers
# may start in pytest-xdist's workers, and the summary is printed by the controller, which reads them back
_TIMINGS = Path(__file__).parent.parent / "test-artifacts" / "timings.txt"
_TIMINGS_FROM = 0


def _guarded_connect(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str):
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise RuntimeError(f"test tried to reach {address}: tests stay on 127.0.0.1")
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every data path points into tmp_path; no LLM key leaks in from the environment."""
    monkeypatch.setenv("COOP_DATA_DIR", str(tmp_path / "data"))
    for name in ("COOP_LLM_API_KEY", "COOP_LLM_BASE_URL", "OPENAI_API_KEY", "COOP_CHROMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def session_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("session-data"))


@pytest.fixture(scope="session")
def assistant(session_settings: Settings):  # type: ignore[no-untyped-def]
    """The real assistant: real embedding model, real Chroma on disk in a temp folder."""
    from assistant.engine import Assistant

    return Assistant(session_settings)


@pytest.fixture(scope="session")
def lexical_checker(session_settings: Settings):  # type: ignore[no-untyped-def]
    """Rules and matcher without the embedding model (lexical decisions only)."""
    from assistant.checker import Checker
    from assistant.knowledge import load_knowledge
    from assistant.rules.loader import load_rules
    from assistant.rules.matcher import Matcher

    kb = load_knowledge(session_settings.knowledge_dir)
    rules = load_rules(session_settings.rules_dir, kb)
    return Checker(rules, Matcher(rules), kb)


@pytest.fixture(scope="session")
def postgres() -> Iterator[object]:
    """One throwaway PostgreSQL cluster for the session (fails, never skips, when it is not installed)."""
    from tests.postgres import Postgres

    try:
        pg = Postgres().start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield pg
    pg.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The chat database URL, once on SQLite and once on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    pg = request.getfixturevalue("postgres")
    return pg.create_database(f"t_{tmp_path.name.lower().replace('-', '_')[-40:]}")  # type: ignore[attr-defined]


def pytest_sessionstart(session: pytest.Session) -> None:
    global _TIMINGS_FROM
    _TIMINGS_FROM = _TIMINGS.stat().st_size if _TIMINGS.exists() else 0


def pytest_terminal_summary(terminalreporter: Any) -> None:
    with contextlib.suppress(OSError), _TIMINGS.open("rb") as f:
        f.seek(_TIMINGS_FROM)
        lines = f.read().decode("utf-8", errors="replace").splitlines()
        if lines:
            terminalreporter.write_sep("-", "e2e start-up timings (also in test-artifacts/timings.txt)")
            for line in lines:
                terminalreporter.write_line(line)
