"""The batch interface of the contract: one JSON question per line in, one answer object per line out."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from assistant.models import Answer

# lines read ahead and primed together: one encoder call and one index query per block
BLOCK = 8


class Answers(Protocol):
    def answer(self, question: object, history: list[str] | None = None, qid: str | None = None) -> Answer: ...

    def prime(self, questions: list[object]) -> None: ...


def run_batch(lines: Iterable[str], conversation: Answers) -> Iterator[dict[str, Any]]:
    """Answer each line, read in its optional `history` (earlier user messages, oldest first); a malformed
    line yields an error object and the run goes on.

    Blank lines are no questions and get no object (`line` still counts them); a line with bytes that are not UTF-8
    (decoded as U+FFFD) gets an error object, not an answer to garbled text. Lines are read in blocks of BLOCK;
    each block's questions are primed together (`Answers.prime`), then answered in order. Every output object
    carries `line` (1-based input line) besides the contract's fields.
    """
    numbered = ((n, line) for n, line in enumerate(lines, 1) if line.strip())
    for block in iter(lambda: list(itertools.islice(numbered, BLOCK)), []):
        parsed = [(n, _parse(line) if REPLACEMENT not in line else UnicodeError(n)) for n, line in block]
        conversation.prime([row["question"] for _, row in parsed if isinstance(row, dict) and "question" in row])
        for n, row in parsed:
            yield _answer(n, row, conversation)


def contract_id(raw: object) -> str | None:
    """The contract's `id` as text: a string as it is, a number as its text (`5` → `"5"`), none as None. Raises
    ValueError for anything else (an object, a list, true/false): the answer could not be joined back to the question.
    Batch lines and `POST /api/check` read it alike."""
    if raw is None or isinstance(raw, str):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return str(raw)
    raise ValueError("'id' must be a string or a number")


# what decoding puts in place of bytes that are not UTF-8 (the input is read with errors="replace")
REPLACEMENT = "\ufffd"


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
        elif history is not None and not (isinstance(history, list) and all(isinstance(h, str) for h in history)):
            out = Answer.for_error(f"Line {n}: 'history' must be a list of earlier user messages (strings), "
                                   "oldest first.", qid, language="en")
        else:
            out = conversation.answer(row["question"], history, qid)
    data = out.to_contract()
    data["line"] = n
    return data
