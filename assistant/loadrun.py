"""`coop-assistant load`: concurrent chat sessions against a server on 127.0.0.1, every reply checked.

Starts `chainlit run assistant/app.py` on a free port of 127.0.0.1 with a fresh data dir (or uses `--url`, which
must be a 127.0.0.1 address; repeated, the sessions go to each instance in turn), records the seconds from process
start to the first answer, asks each question of a pool once in one session (the one-at-a-time answers), then runs
N guest sessions at once, each asking M of the pool's questions in its own order, and compares every reply with the
one-at-a-time answer. Prints per-answer p50 / p95 / max (seconds), answers, mismatches and errors. Bounded: at most
200 sessions × 10 questions, and a deadline for the whole run. Figures only, never a test assertion.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import typer

from assistant.config import PROJECT_ROOT
from assistant.evaluation import load_cases

MAX_SESSIONS, MAX_QUESTIONS = 200, 10


def free_port() -> int:
    """A port of 127.0.0.1 free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    """os.environ for a server process on `data_dir`: without CI (Chainlit's CI mode) and without any COOP_* or
    LLM setting from outside, offline."""
    env = {k: v for k, v in os.environ.items() if k != "CI" and not k.startswith("COOP_")
           and k not in {"OPENAI_API_KEY", "CHAINLIT_AUTH_SECRET"}}
    return env | {"COOP_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                  "ANONYMIZED_TELEMETRY": "False"}


def start_server(data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A `chainlit run` process on a free port of 127.0.0.1 (Chainlit's CI mode off, no LLM settings)."""
    port = free_port()
    env = server_env(data_dir)
    with log.open("ab") as out:
        proc = subprocess.Popen([str(PROJECT_ROOT / ".venv/bin/chainlit"), "run", "assistant/app.py", "--headless",
                                 "--host", "127.0.0.1", "--port", str(port)],
                                cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}"


def first_answer(url: str, started: float, deadline: float, question: str) -> float:
    """Seconds from `started` until a guest session gets its first reply (the engine loaded, the index open)."""
    from assistant.web.guest import GuestSocket, guest_cookie

    while True:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no answer from {url} before the deadline")
        try:
            guest = GuestSocket(url, guest_cookie(url))
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.25)
            continue
        try:
            guest.ask(question, timeout=max(1.0, deadline - time.monotonic()))
        finally:
            guest.close()
        return time.monotonic() - started


def _session(url: str, asked: list[str], expected: dict[str, str], timeout: float) -> tuple[list[float], int, list[str]]:
    """One guest asking `asked` in turn: latencies (s), replies unlike the one-at-a-time answer, errors."""
    from assistant.web.guest import GuestSocket, guest_cookie

    latencies: list[float] = []
    mismatches = 0
    errors: list[str] = []
    try:
        guest = GuestSocket(url, guest_cookie(url))
    except Exception as exc:  # noqa: BLE001 - reported, the run goes on
        return latencies, mismatches, [f"connect: {exc}"]
    try:
        for question in asked:
            t = time.monotonic()
            try:
                reply = guest.ask(question, timeout=timeout)
            except Exception as exc:  # noqa: BLE001 - reported, the run goes on
                errors.append(f"ask: {exc}")
                continue
            latencies.append(time.monotonic() - t)
            mismatches += reply != expected[question]
    finally:
        guest.close()
    return latencies, mismatches, errors


@dataclass
class LoadResult:
    """What a load run measured: per-answer seconds, replies unlike the one-at-a-time answer, errors."""

    urls: list[str]
    sessions: int
    questions: int
    latencies: list[float]
    mismatches: int
    errors: list[str]
    wall: float
    ready: float | None = None  # seconds from the server's start to its first answer, when the run started it

    @property
    def answers(self) -> int:
        return len(self.latencies)

    def report(self) -> list[str]:
        lat = sorted(self.latencies)
        lines = [f"coop-assistant load: {self.sessions} sessions × {self.questions} questions on {', '.join(self.urls)}"]
        if self.ready is not None:
            lines.append(f"  server start to first answer:   {self.ready:7.2f} s (fresh data dir: index built)")
        if lat:
            p95 = lat[int(0.95 * (len(lat) - 1))]
            lines.append(f"  per answer p50 / p95 / max:     {statistics.median(lat):7.2f} / {p95:.2f} / {lat[-1]:.2f} s")
        lines.append(f"  answers:                        {self.answers:7d} of {self.sessions * self.questions} in "
                     f"{self.wall:.1f} s ({self.answers / max(self.wall, 1e-9):.1f} a second)")
        lines.append(f"  unlike the one-at-a-time reply: {self.mismatches:7d}")
        lines.append(f"  errors:                         {len(self.errors):7d}"
                     + (f"  (first: {self.errors[0]})" if self.errors else ""))
        return lines


def load(urls: list[str], sessions: int, questions: int, deadline: float, ready: float | None = None) -> LoadResult:
    """N guest sessions spread over `urls` in turn (several instances of one deployment), each asking M questions of
    the dev pool; every reply is compared with the one-at-a-time answer of the first URL."""
    from assistant.web.guest import GuestSocket, guest_cookie

    pool = [c.question for c in load_cases(PROJECT_ROOT / "evals" / "data") if c.split == "dev"][:20]
    reference = GuestSocket(urls[0], guest_cookie(urls[0]))
    try:
        expected = {q: reference.ask(q, timeout=max(1.0, deadline - time.monotonic())) for q in pool}
    finally:
        reference.close()
    plans = [(urls[i % len(urls)], [pool[(i + j) % len(pool)] for j in range(questions)]) for i in range(sessions)]
    t = time.monotonic()
    with ThreadPoolExecutor(max_workers=sessions) as ex:
        results = list(ex.map(lambda plan: _session(plan[0], plan[1], expected,
                                                    max(1.0, deadline - time.monotonic())), plans))
    wall = time.monotonic() - t
    return LoadResult(urls, sessions, questions, [x for lat, _, _ in results for x in lat],
                      sum(m for _, m, _ in results), [e for _, _, errs in results for e in errs], wall, ready)


def run_load(sessions: int, questions: int, urls: list[str] | None, deadline_s: float) -> LoadResult:
    """The `coop-assistant load` command: starts a server unless `urls` are given, prints the figures."""
    if not 1 <= sessions <= MAX_SESSIONS or not 1 <= questions <= MAX_QUESTIONS:
        raise typer.BadParameter(f"sessions 1–{MAX_SESSIONS}, questions 1–{MAX_QUESTIONS}")
    if any(urlparse(u).hostname not in {"127.0.0.1", "localhost"} for u in urls or []):
        raise typer.BadParameter("the load run stays on 127.0.0.1")
    pool_first = next(c.question for c in load_cases(PROJECT_ROOT / "evals" / "data") if c.split == "dev")
    started = time.monotonic()
    deadline = started + deadline_s
    with tempfile.TemporaryDirectory() as tmp:
        proc = None
        if not urls:
            proc, url = start_server(Path(tmp) / "data", Path(tmp) / "server.log")
            urls = [url]
        try:
            ready = first_answer(urls[0], started, deadline, pool_first)
            result = load(urls, sessions, questions, deadline, ready if proc is not None else None)
        finally:
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
    for line in result.report():
        typer.echo(line)
    return result
