"""`coop-assistant load`: concurrent chat sessions against a server on 127.0.0.1, every reply checked.

Starts `chainlit run assistant/app.py` on a free port of 127.0.0.1 with a fresh data dir (or uses `--url`, which
must be a 127.0.0.1 address), records the seconds from process start to the first answer, asks each question of
a pool once in one session (the one-at-a-time answers), then runs N guest sessions at once, each asking M of the
pool's questions in its own order, and compares every reply with the one-at-a-time answer. Prints per-answer
p50 / p95 / max (seconds), answers, mismatches and errors. Bounded: at most 200 sessions × 10 questions, and a
deadline for the whole run. Figures only, never a test assertion.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
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


def run_load(sessions: int, questions: int, url: str | None, deadline_s: float) -> None:
    if not 1 <= sessions <= MAX_SESSIONS or not 1 <= questions <= MAX_QUESTIONS:
        raise typer.BadParameter(f"sessions 1–{MAX_SESSIONS}, questions 1–{MAX_QUESTIONS}")
    if url is not None and urlparse(url).hostname not in {"127.0.0.1", "localhost"}:
        raise typer.BadParameter("the load run stays on 127.0.0.1")
    from assistant.web.guest import GuestSocket, guest_cookie

    pool = [c.question for c in load_cases(PROJECT_ROOT / "evals" / "data") if c.split == "dev"][:20]
    started = time.monotonic()
    deadline = started + deadline_s
    with tempfile.TemporaryDirectory() as tmp:
        proc = None
        if url is None:
            proc, url = start_server(Path(tmp) / "data", Path(tmp) / "server.log")
        try:
            ready = first_answer(url, started, deadline, pool[0])
            reference = GuestSocket(url, guest_cookie(url))
            try:
                expected = {q: reference.ask(q, timeout=max(1.0, deadline - time.monotonic())) for q in pool}
            finally:
                reference.close()
            plans = [[pool[(i + j) % len(pool)] for j in range(questions)] for i in range(sessions)]
            t = time.monotonic()
            with ThreadPoolExecutor(max_workers=sessions) as ex:
                results = list(ex.map(lambda asked: _session(url, asked, expected,
                                                             max(1.0, deadline - time.monotonic())), plans))
            wall = time.monotonic() - t
        finally:
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
    latencies = sorted(x for lat, _, _ in results for x in lat)
    errors = [e for _, _, errs in results for e in errs]
    mismatches = sum(m for _, m, _ in results)
    typer.echo(f"coop-assistant load: {sessions} sessions × {questions} questions on {url}")
    if proc is not None:
        typer.echo(f"  server start to first answer:   {ready:7.2f} s (fresh data dir: index built)")
    if latencies:
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        typer.echo(f"  per answer p50 / p95 / max:     {statistics.median(latencies):7.2f} / {p95:.2f} / "
                   f"{latencies[-1]:.2f} s")
    typer.echo(f"  answers:                        {len(latencies):7d} of {sessions * questions} in {wall:.1f} s "
               f"({len(latencies) / wall:.1f} a second)")
    typer.echo(f"  unlike the one-at-a-time reply: {mismatches:7d}")
    typer.echo(f"  errors:                         {len(errors):7d}" + (f"  (first: {errors[0]})" if errors else ""))
