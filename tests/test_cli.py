"""The `coop-assistant` CLI through typer's CliRunner: single, batch, errors, ingest, broken rules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import Settings

runner = CliRunner()


def test_check_json_prints_one_answer_object() -> None:
    result = runner.invoke(app, ["check", "Can we pay LinkedIn ads with co-op?", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["findings"][0]["rule_id"] == "dg.digital-advertising"
    assert data["language"] == "en"


UNCLOSED = '{"id": "k", "question": "Newsletter an Bestandskunden?"'


def test_batch_answers_every_line_in_order_and_survives_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "question": "Messestand auf der it-sa?", "extra": 1}),
        "{not json",
        json.dumps({"id": "c", "question": ""}),
        json.dumps({"id": "d"}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "f", "question": "x" * 100_000}),
        json.dumps({"id": "g", "question": "Gehälter\u0000\u0001"}),
        json.dumps({"id": 8, "question": "Incentive-Reise für Top-Verkäufer?"}),
        json.dumps({"id": {"ref": 9}, "question": "Print-Anzeige?"}),  # from a new user's trial: echoed as a repr
        # from a new user's trial (session 20): a question that is no text got a German reply; a missing closing
        # brace was reported at "column 1"
        json.dumps({"id": "j", "question": 42}),
        UNCLOSED,
    ]
    src = tmp_path / "in.jsonl"
    # the last line carries bytes that are not UTF-8 inside its question (from a new user's trial: it was answered)
    src.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + b'{"id": "i", "question": "Print \xff\xfe Anzeige?"}\n')
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["check", "--jsonl", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert "UTF-8" in rows.pop()["error"]
    assert [r["id"] for r in rows] == ["a", None, "c", "d", None, "f", "g", "8", None, "j", None]
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert rows[0]["findings"][0]["rule_id"] == "dg.trade-shows-events" and "error" not in rows[0]
    assert "not valid JSON" in rows[1]["error"]
    assert "empty" in rows[2]["error"]
    assert "no 'question'" in rows[3]["error"]
    assert "JSON object" in rows[4]["error"]
    assert "limit" in rows[5]["error"]
    assert "binary" in rows[6]["error"]
    assert rows[7]["findings"][0]["verdict"] == "not_eligible"
    assert rows[7]["handoff"]["reason"] == "1 activity without a clear yes in the guidance."  # English, as the README says
    assert "'id' must be a string or a number" in rows[8]["error"] and rows[8]["findings"] == []
    assert all(r["handoff"] is not None for r in rows[1:7])
    assert [rows[i]["language"] for i in (1, 3, 4, 9)] == ["en", "en", "en", "en"]  # the messages are English
    assert rows[9]["answer"] == rows[9]["error"] == "The question must be a text string."
    assert f"at column {len(UNCLOSED) + 1})" in rows[10]["error"]  # where the line ends
    assert "answered 2 line(s); 10 line(s) got an error object" in result.stderr  # errors are not counted as answers


@pytest.mark.parametrize("question", ["Danke!", "Workshop?"])  # a social turn, a clarifying question
def test_a_single_question_is_answered_like_a_batch_line_without_history(question: str, tmp_path: Path) -> None:
    single = runner.invoke(app, ["check", question, "--json"])
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "q", "question": question}) + "\n", encoding="utf-8")
    batch = runner.invoke(app, ["check", "--jsonl", str(src)])
    one, (line,) = json.loads(single.stdout), batch.stdout.strip().splitlines()
    row = json.loads(line)
    keys = ("question", "language", "findings", "answer", "handoff", "turn", "resolved_question")
    assert {k: one[k] for k in keys} == {k: row[k] for k in keys}


def test_batch_from_stdin_keeps_stdout_clean() -> None:
    stdin = json.dumps({"id": "s1", "question": "Newsletter?"}) + "\n"
    result = runner.invoke(app, ["check", "--jsonl", "-"], input=stdin)
    assert result.exit_code == 0
    (line,) = result.stdout.strip().splitlines()
    assert json.loads(line)["id"] == "s1"


def test_batch_from_stdin_refuses_bytes_that_are_not_utf8() -> None:
    # standard input is read as UTF-8 whatever the locale: the line gets an error object, not an answer to garbled text
    lines = b'{"id": "s1", "question": "LinkedIn ads \xff\xfe ok?"}\n{"id": "s2", "question": "Newsletter?"}\n'
    result = runner.invoke(app, ["check", "--jsonl", "-"], input=lines)
    assert result.exit_code == 0, result.output
    bad, good = (json.loads(x) for x in result.stdout.strip().splitlines())
    assert "not valid UTF-8" in bad["error"] and bad["findings"] == []
    assert good["id"] == "s2" and "error" not in good
    # … while a U+FFFD typed in valid UTF-8 text is text (session 26, a new user's trial: it had been refused)
    typed = runner.invoke(app, ["check", "--jsonl", "-"], input='{"id": "t", "question": "Messe \ufffd?"}\n'.encode())
    assert "error" not in json.loads(typed.stdout) and json.loads(typed.stdout)["findings"]


@pytest.mark.parametrize("command", ["check", "ask"])
def test_an_argument_that_is_not_utf8_gets_the_error(command: str) -> None:
    """Session 27, a new user's trial: a Latin-1 argument was answered as garbled text („nnen wir die Messe ?ber");
    Python hands the bytes that are not UTF-8 over as lone surrogates (as it does for argv), and they get the same
    error as a batch line; typed text is answered."""
    latin1 = "Können wir die Messe über Co-op zahlen?".encode("latin-1").decode("utf-8", "surrogateescape")
    result = runner.invoke(app, [command, latin1])
    assert result.exit_code == 1 and "not valid UTF-8" in result.output
    assert runner.invoke(app, [command, "Können wir die Messe über Co-op zahlen?"]).exit_code == 0


def test_unreadable_batch_input_exits_non_zero(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "--jsonl", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_ask_prints_the_reply() -> None:
    result = runner.invoke(app, ["ask", "Können wir Prüfungsgutscheine für die AZ-900 bezahlen?"])
    assert result.exit_code == 0
    assert "Partner Skilling" in result.stdout and "Microsoft-Zertifizierungen" in result.stdout


def test_empty_question_gets_a_clear_message() -> None:
    result = runner.invoke(app, ["check", "  "])
    assert result.exit_code == 1
    assert "empty" in result.stdout


def test_an_invalid_setting_exits_with_its_name_and_an_empty_one_counts_as_unset(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOP_ENCODER_THREADS", "two")
    result = runner.invoke(app, ["check", "Messestand?", "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: setting COOP_ENCODER_THREADS='two'") and "Traceback" not in result.stderr
    monkeypatch.setenv("COOP_ENCODER_THREADS", "")
    assert runner.invoke(app, ["check", "Messestand?", "--json"]).exit_code == 0


def test_ingest_builds_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOP_DATA_DIR", str(tmp_path / "fresh"))
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 0, result.output
    assert "index rebuilt" in result.stderr
    assert (tmp_path / "fresh" / "chroma").is_dir()
    again = runner.invoke(app, ["ingest"])
    assert "index up to date" in again.stderr


def test_broken_rules_file_stops_start_up_with_file_and_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(Settings().rules_dir, rules)
    path = rules / "important_notes.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'source_quote: "Interne Seller-Award-Reisen sind nicht Co-op-berechtigt."',
        'source_quote: "Seller-Award-Reisen sind erlaubt."'), encoding="utf-8")
    monkeypatch.setenv("COOP_RULES_DIR", str(rules))
    result = runner.invoke(app, ["check", "Messestand?", "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "important_notes.yaml" in result.stderr and "excl.seller-award-trips" in result.stderr


@pytest.mark.parametrize("args", [["--split", "heldout"], ["--data", "evals/blind"]])
def test_calibrate_refuses_held_out_and_blind_sets(args: list[str]) -> None:
    result = runner.invoke(app, ["calibrate", *args])
    assert result.exit_code == 2 and "blind" in result.stderr


def test_batch_workers_give_the_same_answers_in_the_same_order(tmp_path: Path) -> None:
    """`--workers 2` (issue #9): spawned processes answer blocks of lines; the output is the one-process output, line
    for line — more lines than one worker block, dialogue lines with history, and bad lines between them."""
    questions = ["Können wir LinkedIn-Anzeigen bezahlen?", "Messestand auf der it-sa?", "Incentive-Reise für Top-Seller?",
                 "Can co-op pay for SEO work on our website?", "Was ist mit einem Workshop?"]
    lines = [json.dumps({"id": f"q{n}", "question": questions[n % 5]} | ({"history": [questions[(n + 1) % 5]]} if n % 3
                                                                          else {})) for n in range(70)]
    lines[40] = "{not json"
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        result = runner.invoke(app, ["check", "--jsonl", str(src), "--out", str(out), "--workers", workers])
        assert result.exit_code == 0, result.output
        outputs.append([json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()])
    assert [r["line"] for r in outputs[1]] == list(range(1, 71))
    assert outputs[1] == outputs[0]
    assert "not valid JSON" in outputs[1][40]["error"]


def test_two_processes_on_a_fresh_data_dir_share_one_index(tmp_path: Path) -> None:
    """Started together: the index lock makes the second wait and reuse the first one's build (issue #8, fault 3)."""
    import os
    import subprocess
    import sys

    questions = ["Können wir LinkedIn-Anzeigen bezahlen?", "Messestand auf der it-sa?", "Incentive-Reise für Top-Seller?",
                 "Can co-op pay for SEO work on our website?"] * 10
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"q{n}", "question": q}) + "\n" for n, q in enumerate(questions)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOP_")} | {"COOP_DATA_DIR": str(tmp_path / "data")}
    cli = Path(sys.executable).parent / "coop-assistant"
    procs = [subprocess.Popen([str(cli), "check", "--jsonl", str(src)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err[-2000:]
        answers = [json.loads(line) for line in out.splitlines()]
        assert len(answers) == 40 and not any("error" in a for a in answers), err[-2000:]
        assert answers[0]["findings"][0]["rule_id"] == "dg.digital-advertising"
        assert "knowledge changed" not in err and "readonly database" not in err
