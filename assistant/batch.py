"""The batch interface of the contract: one JSON question per line in, one answer object per line out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from assistant.models import Answer


class Answers(Protocol):
    def answer(self, question: object, qid: str | None = None) -> Answer: ...


def run_batch(lines: Iterable[str], assistant: Answers) -> Iterator[dict[str, Any]]:
    """Answer each line; a malformed line yields an error object and the run goes on.

    Every output object carries `line` (1-based input line) besides the contract's fields.
    """
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            out = Answer.for_error(f"Line {n} is not valid JSON ({exc.msg} at column {exc.colno}).", None).to_contract()
        else:
            if not isinstance(row, dict):
                out = Answer.for_error(f"Line {n} must be a JSON object with 'id' and 'question'.", None).to_contract()
            else:
                qid = row.get("id")
                qid = None if qid is None else str(qid)
                if "question" not in row:
                    out = Answer.for_error(f"Line {n} has no 'question' field.", qid).to_contract()
                else:
                    out = assistant.answer(row["question"], qid).to_contract()
        out["line"] = n
        yield out
