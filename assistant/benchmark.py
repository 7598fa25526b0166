"""`coop-assistant bench`: start-up, index build, latency and memory figures (printed, never asserted)."""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
from pathlib import Path

import typer

from assistant.config import PROJECT_ROOT, Settings
from assistant.evaluation import load_cases


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_bench(rounds: int) -> None:
    t0 = time.perf_counter()
    from assistant.engine import Assistant
    from assistant.retrieval import Retriever

    t_import = time.perf_counter() - t0
    questions = [c.question for c in load_cases(PROJECT_ROOT / "evals" / "data") if c.split == "dev"]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        t1 = time.perf_counter()
        assistant = Assistant(settings)
        t_start = time.perf_counter() - t1
        t2 = time.perf_counter()
        Retriever(settings, assistant.knowledge, assistant.embedder, assistant.rules)
        t_reopen = time.perf_counter() - t2
        latencies = []
        for _ in range(rounds):
            for q in questions:
                t = time.perf_counter()
                assistant.answer(q)
                latencies.append((time.perf_counter() - t) * 1000)
        t_rules = []
        for q in questions:
            t = time.perf_counter()
            assistant.checker.check(q)
            t_rules.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    typer.echo("coop-assistant bench (figures only; machines are shared and noisy)")
    typer.echo(f"  import of the engine (torch loads on first use):{t_import:7.2f} s")
    typer.echo(f"  start-up incl. model load + fresh index build: {t_start:7.2f} s")
    typer.echo(f"  re-open existing index:                        {t_reopen:7.2f} s")
    typer.echo(f"  questions answered:                            {len(latencies):7d}")
    typer.echo(f"  answer latency p50 / p95 / max:                {statistics.median(latencies):7.1f} / "
               f"{latencies[int(0.95 * (len(latencies) - 1))]:.1f} / {latencies[-1]:.1f} ms")
    typer.echo(f"  rule checker alone p50:                        {statistics.median(t_rules):7.2f} ms")
    typer.echo(f"  throughput:                                    {1000 / statistics.mean(latencies):7.1f} questions/s")
    typer.echo(f"  peak RSS:                                      {_rss_mb():7.0f} MB")
