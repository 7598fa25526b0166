"""The `coop-assistant` command line: check, ask, ingest, eval, bench."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from assistant.config import PROJECT_ROOT, Settings
from assistant.errors import AssistantError

if TYPE_CHECKING:
    from assistant.dialogue.resolver import Conversation
    from assistant.engine import Assistant
    from assistant.models import Answer

app = typer.Typer(help="Co-op eligibility assistant (Partner Care guidance).", no_args_is_help=True,
                  add_completion=False)
log = logging.getLogger("assistant")


def _settings() -> Settings:
    """The settings, or exit code 2 with one line per invalid value naming its variable (a traceback otherwise)."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "COOP_" + "_".join(str(part) for part in error["loc"]).upper()
            typer.echo(f"error: setting {name}={error.get('input')!r}: {error['msg']}", err=True)
        raise typer.Exit(2) from exc


def _conversation() -> Conversation:
    """A conversation over a freshly built assistant (module level: a batch worker process builds its own)."""
    from assistant.dialogue.resolver import Conversation

    return Conversation(_load())


def _load(progress: bool = False) -> Assistant:
    """Build the assistant; library chatter goes to stderr so stdout stays machine-readable."""
    from assistant.engine import Assistant

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    settings = _settings()
    with contextlib.redirect_stdout(sys.stderr):
        try:
            if progress:
                with typer.progressbar(length=1, label="Indexing guidance", file=sys.stderr) as bar:
                    def step(done: int, total: int) -> None:
                        bar.length = total
                        bar.update(done - bar.pos)

                    return Assistant(settings, progress=step)
            return Assistant(settings)
        except AssistantError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc


def _emit(obj: object, out: TextIO) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    out.flush()


@app.command()
def check(
    question: Annotated[str | None, typer.Argument(help="The question to check.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer object as JSON.")] = False,
    jsonl: Annotated[str | None, typer.Option("--jsonl", help="Batch mode: JSONL file of questions, '-' = stdin.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Batch mode: write answers here instead of stdout.")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Batch mode: answer in N processes (one per core; "
                                         "each loads the model, about 450 MB).")] = 1,
) -> None:
    """Check a question (or a JSONL batch) against the Co-op rules."""
    from concurrent.futures.process import BrokenProcessPool

    from assistant.batch import run_batch, run_batch_parallel

    if (question is None) == (jsonl is None):
        typer.echo("error: give either a QUESTION or --jsonl FILE.", err=True)
        raise typer.Exit(2)
    if jsonl is not None:
        try:
            # standard input is read as UTF-8 like a file, whatever the locale: bytes that are not UTF-8 become lone
            # surrogates (no UTF-8 text holds one; a "\ufffd" typed in the text stays text) and their line an error
            # object (the locale's decoding had turned them into "??" answered as text)
            source = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape") if jsonl == "-" \
                else open(jsonl, encoding="utf-8", errors="surrogateescape")  # noqa: SIM115
        except OSError as exc:
            typer.echo(f"error: cannot read {jsonl}: {exc.strerror}", err=True)
            raise typer.Exit(2) from exc
        answers = run_batch_parallel(source, _conversation, workers) if workers > 1 \
            else run_batch(source, _conversation())
        target = open(out, "w", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
        count = errors = 0
        try:
            for obj in answers:
                _emit(obj, target)
                count += 1
                errors += bool(obj.get("error"))
        except BrokenProcessPool as exc:
            typer.echo(f"error: a worker process stopped ({exc}); {count} line(s) were written", err=True)
            raise typer.Exit(1) from exc
        finally:
            if out:
                target.close()
            if jsonl == "-":
                source.detach()  # standard input stays open (closing the wrapper would close it)
            else:
                source.close()
        # lines that got an error object are no answers (a new user's trial read the old count as all answered)
        typer.echo(f"answered {count - errors} line(s); {errors} line(s) got an error object", err=True)
        return
    answer = _new_conversation_answer(question or "")
    if as_json:
        _emit(answer.to_contract(), sys.stdout)
    else:
        typer.echo(answer.answer if not answer.error else f"error: {answer.error}")
    if answer.error:
        raise typer.Exit(1)


def _new_conversation_answer(question: str) -> Answer:
    """A single question is a new conversation: the same answer as a batch line without `history`. An argument with
    bytes that are not UTF-8 (Python hands them over as lone surrogates, `surrogateescape`) goes on as those bytes, so
    it gets the error for text that is not UTF-8, as a batch line does (session 27, a new user's trial: a Latin-1
    „Können“ was answered as „nnen“)."""
    from assistant.batch import undecoded
    from assistant.dialogue.resolver import Conversation

    raw: str | bytes = question.encode("utf-8", "surrogateescape") if undecoded(question) else question
    return Conversation(_load()).answer(raw)


@app.command()
def ask(question: Annotated[str, typer.Argument(help="The question, in German or English.")]) -> None:
    """Print the reply a partner would read."""
    answer = _new_conversation_answer(question)
    if answer.error:
        typer.echo(f"error: {answer.error}", err=True)
        raise typer.Exit(1)
    typer.echo(answer.answer)


@app.command()
def ingest(
    rebuild: Annotated[bool, typer.Option(help="Delete this edition's index and build it again.")] = False,
    prune: Annotated[bool, typer.Option(help="Drop other editions' indexes (on a shared Chroma server: once every "
                                             "instance runs this edition).")] = False,
) -> None:
    """Build the retrieval index from knowledge/ when it is missing or incomplete (or rebuild it)."""
    assistant = _load(progress=True)
    retriever = assistant.retriever
    if rebuild:
        retriever.rebuild()
    dropped = retriever.prune() if prune else []
    state = "rebuilt" if retriever.rebuilt else "up to date"
    typer.echo(f"index {state}: {retriever.collection_name}, {len(retriever.chunks)} chunks, knowledge "
               f"{assistant.knowledge.fingerprint} at {assistant.settings.chroma_host or assistant.settings.chroma_dir}"
               + (f"; dropped {', '.join(dropped)}" if dropped else ""), err=True)


@app.command("export-encoder")
def export_encoder() -> None:
    """Export the embedding model to ONNX once (run by `make install`; later starts only load it)."""
    from assistant.embeddings import OnnxEmbedder, default_model_path

    settings = _settings()
    path = settings.embedding_model or default_model_path()
    try:
        encoder = OnnxEmbedder(path, settings.model_cache)
    except AssistantError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"encoder ready: {path.name} ({encoder.fingerprint})", err=True)


@app.command("eval")
def evaluate(
    data: Annotated[Path, typer.Option(help="Folder of labelled *.jsonl cases.")] = PROJECT_ROOT / "evals" / "data",
    report_dir: Annotated[Path, typer.Option(help="Where the reports go.")] = PROJECT_ROOT / "evals" / "reports",
    thresholds: Annotated[Path, typer.Option(help="Gate thresholds (YAML).")] = PROJECT_ROOT / "evals" / "thresholds.yaml",
    show: Annotated[str, typer.Option(help="Split whose failures are printed ('none' keeps all hidden).")] = "dev",
) -> None:
    """Score the labelled eval set; exit 1 when a threshold is missed."""
    from assistant.evalrun import run_eval

    assistant = _load()
    # the default data must have every gated split; another folder (e.g. evals/blind) is gated where it has cases
    passed = run_eval(assistant, data, report_dir, thresholds, show, require_all=data == PROJECT_ROOT / "evals" / "data")
    if not passed:
        raise typer.Exit(1)


@app.command("calibrate")
def calibrate_cmd(
    data: Annotated[Path, typer.Option(help="Folder of labelled *.jsonl cases.")] = PROJECT_ROOT / "evals" / "data",
    split: Annotated[str, typer.Option(help="Split to calibrate on (never the held-out one).")] = "dev",
) -> None:
    """Print the semantic fallback's precision per threshold and the calibrated choice."""
    from assistant.evalrun import calibrate

    if split == "heldout" or data.resolve().name == "blind":
        typer.echo("error: calibrating on a held-out or blind set would leak it into the settings.", err=True)
        raise typer.Exit(2)
    calibrate(_load(), data, split)


@app.command("hash-password")
def hash_password_cmd(
    name: Annotated[str, typer.Argument(help="Staff login name.")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Print a COOP_STAFF_USERS entry for a Partner Care staff login (the password itself is never stored)."""
    from assistant.web.auth import hash_password

    typer.echo(json.dumps({name: hash_password(password)}))


@app.command("create-token")
def create_token_cmd(name: Annotated[str, typer.Argument(help="A name for the tool or CRM that will use the token.")]) -> None:
    """Create a bearer token for POST /api/check; prints it once and the COOP_API_TOKENS entry to add."""
    from assistant.web.tokens import hash_token, new_token

    token = new_token()
    typer.echo(f"token: {token}   (give it to {name}; it is not stored anywhere)")
    typer.echo(f"COOP_API_TOKENS='{json.dumps({name: hash_token(token)})}'")
    typer.echo("(merge entries into one JSON object; revoke with COOP_API_TOKENS_REVOKED='[\"" + name + "\"]')")


@app.command()
def bench(
    rounds: Annotated[int, typer.Option(help="How many times the question set is answered.")] = 3,
) -> None:
    """Print start-up time, per-question latency and memory (figures only, no pass/fail)."""
    from assistant.benchmark import run_bench

    run_bench(rounds)


@app.command()
def load(
    sessions: Annotated[int, typer.Option(help="Concurrent guest chat sessions (1–200).")] = 50,
    questions: Annotated[int, typer.Option(help="Questions per session (1–10).")] = 3,
    url: Annotated[list[str] | None, typer.Option(help="A running server on 127.0.0.1 (repeat for several "
                                                        "instances: sessions go to each in turn); default: start one.")]
        = None,
    deadline: Annotated[float, typer.Option(help="Seconds for the whole run.")] = 600.0,
) -> None:
    """Concurrent chat sessions against the web server, every reply checked (figures only, no pass/fail)."""
    from assistant.loadrun import run_load

    try:
        run_load(sessions, questions, url, deadline)
    except RuntimeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


db = typer.Typer(help="The chat-history database (COOP_DATABASE_URL; default SQLite in the data dir).",
                 no_args_is_help=True)
app.add_typer(db, name="db")


def _database() -> str:
    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings.database


def _where(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url  # no credentials on the terminal


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations up to the newest (run by the server's start and `make run`, idempotent)."""
    from assistant.web.persistence import head, upgrade

    url = _database()
    try:
        upgrade(url)
    except (ValueError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"schema at revision {head()} ({_where(url)})")


@db.command("current")
def db_current() -> None:
    """Print the revision the database is at ("none": never migrated)."""
    from assistant.web.persistence import revision_of

    url = _database()
    typer.echo(f"{revision_of(url) or 'none'} ({_where(url)})")


if __name__ == "__main__":  # pragma: no cover
    app()
