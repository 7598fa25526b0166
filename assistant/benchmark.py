"""`coop-assistant bench`: start-up, index build, latency and memory figures (printed, never asserted).

Whole processes are timed with their peak memory (`os.wait4`), side by side with `import sentence_transformers`
measured in the same run: on a shared, noisy machine the ratio holds where absolute times drift.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import typer

from assistant.config import PROJECT_ROOT, Settings
from assistant.evaluation import load_cases


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(args: list[str], env: dict[str, str], stdin: str | None = None) -> tuple[float, float]:
    """Run one process to its end: (wall seconds, peak RSS in MB); raises RuntimeError when it fails."""
    with tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, text=True)
        if stdin is not None and proc.stdin is not None:
            proc.stdin.write(stdin)
            proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(args[:3])} … exited {proc.returncode}: {err.read()[-300:]}")
    return wall, usage.ru_maxrss / 1024


def _server_first_answer(data_dir: Path, question: str) -> float:
    """Seconds from starting the web server on `data_dir` (index on disk) to a guest's first chat answer."""
    from assistant.loadrun import first_answer, start_server

    started = time.monotonic()
    proc, url = start_server(data_dir, data_dir / "server.log")
    try:
        return first_answer(url, started, started + 180, question)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run_processes(questions: list[str], lines: list[str]) -> None:
    """Cold whole-process figures: `import sentence_transformers`, `check` one question, `check --jsonl` over the
    dev questions and over `lines` (the contract's batch lines: every readable eval case, with its history)."""
    cli = str(Path(sys.executable).with_name("coop-assistant"))
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "COOP_DATA_DIR": tmp, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        child([cli, "ingest"], env)  # the index on disk, as after `make run`
        st = [child([sys.executable, "-c", "import sentence_transformers"], env) for _ in range(3)]
        one = [child([cli, "check", questions[0]], env) for _ in range(3)]
        dev = "".join(json.dumps({"id": str(n), "question": q}) + "\n" for n, q in enumerate(questions))
        batch = child([cli, "check", "--jsonl", "-"], env, stdin=dev)
        # a batch long enough that start-up does not dominate: its rate after start-up is the batch's own
        readable = "".join(line + "\n" for line in lines)
        large = child([cli, "check", "--jsonl", "-"], env, stdin=readable)
        workers = max(2, os.cpu_count() or 1)
        spread = child([cli, "check", "--jsonl", "-", "--workers", str(workers)], env, stdin=readable)
        served = [_server_first_answer(Path(tmp), questions[0]) for _ in range(3)]
    st_wall, st_mb = statistics.median(w for w, _ in st), statistics.median(m for _, m in st)
    one_wall, one_mb = statistics.median(w for w, _ in one), statistics.median(m for _, m in one)
    typer.echo("coop-assistant bench (figures only; machines are shared and noisy)")
    typer.echo("whole processes (median of 3; the index on disk)")
    typer.echo(f"  import sentence_transformers:                  {st_wall:7.2f} s  {st_mb:6.0f} MB")
    typer.echo(f"  check one question, cold:                      {one_wall:7.2f} s  {one_mb:6.0f} MB"
               f"   ratio {one_wall / st_wall:.2f} (time)  {one_mb / st_mb:.2f} (memory)   goal <= 3 s, <= 300 MB")
    typer.echo(f"  web server start to first chat answer:         {statistics.median(served):7.2f} s"
               "   goal <= 5 s")
    typer.echo(f"  check --jsonl, {len(questions)} questions:                {batch[0]:7.2f} s  {batch[1]:6.0f} MB"
               f"   {len(questions) / batch[0]:.1f} questions/s incl. start-up")
    after = max(large[0] - one_wall, 1e-9)  # less one cold `check`: the start-up and one answer
    typer.echo(f"  check --jsonl, {len(lines)} lines (with history):     {large[0]:7.2f} s  {large[1]:6.0f} MB"
               f"   {len(lines) / large[0]:.1f} lines/s incl. start-up, {len(lines) / after:.1f} after it"
               "   goal >= 100/s")
    typer.echo(f"  … the same with --workers {workers}:                  {spread[0]:7.2f} s  {spread[1]:6.0f} MB"
               f"   {len(lines) / spread[0]:.1f} lines/s incl. start-up (MB: the largest process)")


def run_bench(rounds: int) -> None:
    questions = [c.question for c in load_cases(PROJECT_ROOT / "evals" / "data") if c.split == "dev"]
    # the readable sets only (own and retired): a blind set's text is never read by tooling besides the eval
    lines = [json.dumps({"id": c.id, "question": c.question, "history": c.history})
             for folder in ("data", "retired") for c in load_cases(PROJECT_ROOT / "evals" / folder)]
    # whole processes first: a child's peak RSS counts from its parent's size at fork, so the parent is small yet
    run_processes(questions, lines)
    t0 = time.perf_counter()
    from assistant.engine import Assistant
    from assistant.retrieval import Retriever

    t_import = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        t1 = time.perf_counter()
        assistant = Assistant(settings)
        t_start = time.perf_counter() - t1
        t2 = time.perf_counter()
        Retriever(settings, assistant.knowledge, assistant.embedder, assistant.rules)
        t_reopen = time.perf_counter() - t2
        # the first round asks each question for the first time in this process; later rounds ask them again, where
        # the recogniser's and the term matcher's per-text caches answer: both are printed, never mixed
        first: list[float] = []
        again: list[float] = []
        for n in range(rounds):
            for q in questions:
                t = time.perf_counter()
                assistant.answer(q)
                (again if n else first).append((time.perf_counter() - t) * 1000)
        t_rules = []
        for q in questions:
            t = time.perf_counter()
            assistant.checker.check(q)
            t_rules.append((time.perf_counter() - t) * 1000)
    first.sort()
    typer.echo("in one process")
    typer.echo(f"  import of the engine:                          {t_import:7.2f} s")
    typer.echo(f"  start-up incl. model load + fresh index build: {t_start:7.2f} s")
    typer.echo(f"  re-open existing index:                        {t_reopen:7.2f} s")
    typer.echo(f"  questions answered:                            {len(first) + len(again):7d}")
    typer.echo(f"  answer latency, new questions p50 / p95 / max: {statistics.median(first):7.1f} / "
               f"{first[int(0.95 * (len(first) - 1))]:.1f} / {first[-1]:.1f} ms")
    if again:
        again.sort()
        typer.echo(f"  answer latency, asked again p50 / p95 / max:   {statistics.median(again):7.1f} / "
                   f"{again[int(0.95 * (len(again) - 1))]:.1f} / {again[-1]:.1f} ms")
    typer.echo(f"  rule checker alone p50:                        {statistics.median(t_rules):7.2f} ms")
    typer.echo(f"  throughput, new questions:                     {1000 / statistics.mean(first):7.1f} questions/s")
    typer.echo(f"  peak RSS:                                      {_rss_mb():7.0f} MB")
