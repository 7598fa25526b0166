"""The batch interface of the contract: one JSON question per line in, one answer object per line out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from assistant.models import Answer


class Answers(Protocol):
    def answer(self, question: object, history: list[str] | None = None, qid: str | None = None) -> Answer: ...


def run_batch(lines: Iterable[str], conversation: Answers) -> Iterator[dict[str, Any]]:
    """Answer each line, read in its optional `history` (earlier user messages, oldest first); a malformed
    line yields an error object and the run goes on.

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
                history = row.get("history")
                if "question" not in row:
                    out = Answer.for_error(f"Line {n} has no 'question' field.", qid).to_contract()
                elif history is not None and not (isinstance(history, list) and all(isinstance(h, str) for h in history)):
                    out = Answer.for_error(f"Line {n}: 'history' must be a list of earlier user messages (strings), "
                                           "oldest first.", qid).to_contract()
                else:
                    out = conversation.answer(row["question"], history, qid).to_contract()
        out["line"] = n
        yield out
