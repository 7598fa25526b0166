"""The batch interface of the contract: one JSON question per line in, one answer object per line out."""

from __future__ import annotations

import itertools
import json
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any, Protocol

from assistant.models import Answer

# lines read ahead and primed together: one encoder call and one index query per block
BLOCK = 8
# … per task of a worker process (`run_batch_parallel`), and the tasks handed out ahead per worker
WORKER_BLOCK = 32
AHEAD = 4


class Answers(Protocol):
    def answer(self, question: object, history: object = None, qid: str | None = None) -> Answer: ...

    def prime(self, questions: list[object]) -> None: ...


def run_batch(lines: Iterable[str], conversation: Answers) -> Iterator[dict[str, Any]]:
    """Answer each line, read in its optional `history` (earlier user messages, oldest first); a malformed
    line yields an error object and the run goes on.

    Blank lines are no questions and get no object (`line` still counts them); a line with bytes that are not UTF-8
    (decoded with errors="surrogateescape") gets an error object, not an answer to garbled text. Lines are read in
    blocks of BLOCK; each block's questions are primed together (`Answers.prime`), then answered in order. Every output object
    carries `line` (1-based input line) besides the contract's fields.
    """
    for block in _blocks(lines, BLOCK):
        yield from answer_block(block, conversation)


def run_batch_parallel(lines: Iterable[str], load: Callable[[], Answers], workers: int) -> Iterator[dict[str, Any]]:
    """`run_batch` on `workers` processes (spawned, each building its own answerer with `load`, a module-level
    function, and running its encoder on one thread): blocks of WORKER_BLOCK lines, at most AHEAD per worker handed
    out ahead, answers yielded in input order — the same objects as `run_batch`. A worker that cannot start raises
    `concurrent.futures.process.BrokenProcessPool`."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
                             initargs=(load,)) as pool:
        pending: deque[Future[list[dict[str, Any]]]] = deque()
        for block in _blocks(lines, WORKER_BLOCK):
            pending.append(pool.submit(_worker_block, block))
            if len(pending) >= workers * AHEAD:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def answer_block(block: list[tuple[int, str]], conversation: Answers) -> list[dict[str, Any]]:
    """The objects for a block of (line number, line): its questions primed together (`Answers.prime`), then
    answered in order."""
    parsed = [(n, _parse(line) if not undecoded(line) else UnicodeError(n)) for n, line in block]
    conversation.prime([row["question"] for _, row in parsed if isinstance(row, dict) and "question" in row])
    return [_answer(n, row, conversation) for n, row in parsed]


def _blocks(lines: Iterable[str], size: int) -> Iterator[list[tuple[int, str]]]:
    """The non-blank lines with their 1-based numbers, in blocks of `size`."""
    numbered = ((n, line) for n, line in enumerate(lines, 1) if line.strip())
    return iter(lambda: list(itertools.islice(numbered, size)), [])


_worker: Answers | None = None  # a worker process's answerer (`run_batch_parallel`)


def _start_worker(load: Callable[[], Answers]) -> None:
    global _worker
    os.environ["COOP_ENCODER_THREADS"] = "1"  # the workers share the cores: one encoder thread each
    _worker = load()


def _worker_block(block: list[tuple[int, str]]) -> list[dict[str, Any]]:
    if _worker is None:
        raise RuntimeError("worker not started")
    return answer_block(block, _worker)


def contract_id(raw: object) -> str | None:
    """The contract's `id` as text: a string as it is, a number as its text (`5` → `"5"`), none as None. Raises
    ValueError for anything else (an object, a list, true/false): the answer could not be joined back to the question.
    Batch lines and `POST /api/check` read it alike."""
    if raw is None or isinstance(raw, str):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return str(raw)
    raise ValueError("'id' must be a string or a number")


# what decoding puts in place of bytes that are not UTF-8: the input is read with errors="surrogateescape", which
# maps each such byte to a lone surrogate U+DC80..U+DCFF — never part of UTF-8 text, unlike a typed U+FFFD (a new
# user's trial, session 26: „Messe �?“ in valid UTF-8 had been refused as not UTF-8)
_UNDECODED = re.compile("[\udc80-\udcff]")


def undecoded(text: str) -> bool:
    """Whether `text` holds bytes that were not UTF-8, decoded with errors="surrogateescape" (`_UNDECODED`)."""
    return _UNDECODED.search(text) is not None


def _parse(line: str) -> Any:
    """The line's JSON, or the decode error — its column counted on the line without its line break (a missing
    closing brace is reported where the line ends, not at "column 1" of the next line)."""
    try:
        return json.loads(line.rstrip("\r\n"))
    except json.JSONDecodeError as exc:
        return exc


def _answer(n: int, row: Any, conversation: Answers) -> dict[str, Any]:
    """The contract's object for line `n` (its parsed JSON, or the decode error), with `line` added. A line that is
    not a question object gets an error object in English (its message is English; there is no question whose
    language it could follow)."""
    if isinstance(row, UnicodeError):
        out = Answer.for_error(f"Line {n} is not valid UTF-8 text; save the input as UTF-8.", None, language="en")
    elif isinstance(row, json.JSONDecodeError):
        out = Answer.for_error(f"Line {n} is not valid JSON ({row.msg} at column {row.colno}).", None, language="en")
    elif not isinstance(row, dict):
        out = Answer.for_error(f"Line {n} must be a JSON object with 'id' and 'question'.", None, language="en")
    else:
        try:
            qid, readable_id = contract_id(row.get("id")), True
        except ValueError:
            qid, readable_id = None, False
        history = row.get("history")
        if not readable_id:
            # an id that is an object or a list would come back as Python's spelling of it (a new user's trial):
            # the caller could not join the answer to the question
            out = Answer.for_error(f"Line {n}: 'id' must be a string or a number.", None, language="en")
        elif "question" not in row:
            out = Answer.for_error(f"Line {n} has no 'question' field.", qid, language="en")
        else:  # a history outside the contract's bounds gets the conversation's error answer
            out = conversation.answer(row["question"], history, qid)
    data = out.to_contract()
    data["line"] = n
    return data
