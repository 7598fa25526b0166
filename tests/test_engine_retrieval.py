"""The full answer on the real embedding model and a real Chroma store in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.models import PARTNER_CARE_EMAIL, PARTNER_CARE_PHONE

CONTRACT_KEYS = {"id", "question", "language", "findings", "sources", "answer", "handoff"}


def test_answer_follows_the_contract(assistant) -> None:  # type: ignore[no-untyped-def]
    q = "Können wir LinkedIn-Anzeigen und eine Incentive-Reise für unsere Top-Verkäufer mit Co-op bezahlen?"
    data = assistant.answer(q, "q17").to_contract()
    assert set(data) >= CONTRACT_KEYS and "error" not in data
    assert data["id"] == "q17" and data["language"] == "de"
    assert [(f["verdict"], f["category"]) for f in data["findings"]] == [
        ("eligible", "demand_generation"), ("not_eligible", None)]
    for f in data["findings"]:
        assert f["source_quote"] in assistant.knowledge.authoritative[0].text
    assert len(data["sources"]) >= 3
    assert data["sources"][0]["section"] in {"1. Demand Generation", "Wichtige Hinweise zu Co-op-Aktivitäten"}
    assert all(s["text"] in assistant.knowledge.authoritative[0].text for s in data["sources"])
    assert data["handoff"]["phone"] == PARTNER_CARE_PHONE and data["handoff"]["email"] == PARTNER_CARE_EMAIL
    assert data["handoff"]["contact_form"] is True
    assert "Digitale Werbung" in data["answer"] and PARTNER_CARE_PHONE in data["answer"]
    assert data["guidance_version"] == assistant.knowledge.version and data["guidance_version"] in data["answer"]


def test_clear_yes_has_no_handoff_and_gives_poe_reminders(assistant) -> None:  # type: ignore[no-untyped-def]
    data = assistant.answer("Can we pay for an e-mail campaign to our customers with co-op?").to_contract()
    assert data["language"] == "en"
    assert [f["verdict"] for f in data["findings"]] == ["eligible"]
    assert data["handoff"] is None
    assert "distribution list" in data["answer"]  # the POE rule for e-mail campaigns
    assert "pre-approved" in data["answer"]
    # the reminders name their section in the reader's language, the original's title beside it
    assert "Tip 2: Always keep the POE requirements in mind (Tipp 2:" in data["answer"]
    german = assistant.answer("Können wir eine E-Mail-Kampagne an unsere Kunden mit Co-op bezahlen?").answer
    assert "Tipp 2: POE-Anforderungen stets im Blick behalten" in german and "Tip 2" not in german


PROCESS = [
    ("Wie lange wird das Co-op-Budget aufgebaut?", "overview"),
    ("What proof do I need for an email campaign?", "tip-poe"),
    ("How do I reach Partner Care?", "contact"),
    ("Wann sollten wir unsere Claims einreichen?", "tip-claims"),
    ("Welche Kategorien von Aktivitäten gibt es?", "eligible-activities"),
]


@pytest.mark.parametrize(("question", "section"), PROCESS, ids=[q[:30] for q, _ in PROCESS])
def test_process_questions_find_their_passage_first(assistant, question: str, section: str) -> None:  # type: ignore[no-untyped-def]
    data = assistant.answer(question).to_contract()
    assert data["findings"] == []
    assert data["sources"][0]["section_id"] == section
    assert data["handoff"] is None
    assert "> " in data["answer"]  # quotes the guidance


@pytest.mark.parametrize(("question", "section"), PROCESS, ids=[q[:30] for q, _ in PROCESS])
def test_hybrid_retriever_alone_ranks_the_passage_in_top3(assistant, question: str, section: str) -> None:  # type: ignore[no-untyped-def]
    assert section in [h.section_id for h in assistant.retriever.search(question, k=3)]


def test_question_beyond_the_guidance_hands_off(assistant) -> None:  # type: ignore[no-untyped-def]
    data = assistant.answer("How much co-op budget do we have left?").to_contract()
    assert data["findings"] == [] and data["handoff"] is not None


def test_hostile_text_is_escaped_in_the_reply(assistant) -> None:  # type: ignore[no-untyped-def]
    data = assistant.answer("Can we pay for <script>alert(1)</script> [click](http://evil.example) tickets?")
    assert "<script>" not in data.answer and "](http" not in data.answer


def test_bad_input_yields_an_error_answer(assistant) -> None:  # type: ignore[no-untyped-def]
    data = assistant.answer("   ", "e1").to_contract()
    assert data["error"].startswith("The question is empty") and data["id"] == "e1" and data["handoff"]


def _fresh(tmp_path: Path, knowledge: Path | None = None) -> Settings:
    return Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge or Settings().knowledge_dir)


def test_index_is_built_when_missing_and_reused(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from assistant.retrieval import Retriever

    first = Retriever(_fresh(tmp_path), assistant.knowledge, assistant.embedder, assistant.rules)
    assert first.rebuilt and (tmp_path / "data" / "chroma").is_dir()
    second = Retriever(_fresh(tmp_path), assistant.knowledge, assistant.embedder, assistant.rules)
    assert not second.rebuilt
    assert [h.section_id for h in second.search("Messestand", 3)] == [h.section_id for h in first.search("Messestand", 3)]


class _Counting:
    """An encoder that counts the texts it encodes."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.texts = inner, 0
        self.fingerprint = inner.fingerprint

    def encode(self, texts: list[str]):  # type: ignore[no-untyped-def]
        self.texts += len(texts)
        return self.inner.encode(texts)


def test_a_fresh_data_dir_encodes_no_chunk_the_model_cache_holds(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The chunks are fixed texts (issue #9): their vectors are kept in the model cache by content hash, so a second
    data dir builds its index without encoding them again, and the index answers alike."""
    from assistant.retrieval import Retriever

    counting = _Counting(assistant.embedder)
    cache = tmp_path / "models"
    first = Retriever(Settings(data_dir=tmp_path / "a", model_cache_dir=cache), assistant.knowledge, counting,
                      assistant.rules)
    assert first.rebuilt and counting.texts == len(first.chunks)
    second = Retriever(Settings(data_dir=tmp_path / "b", model_cache_dir=cache), assistant.knowledge, counting,
                       assistant.rules)
    assert second.rebuilt and counting.texts == len(first.chunks)  # built again, from the kept vectors
    query = "Messestand auf der it-sa"
    assert [(h.section_id, round(h.score, 5)) for h in second.search(query, 4)] == \
        [(h.section_id, round(h.score, 5)) for h in first.search(query, 4)]


def test_index_is_rebuilt_when_the_knowledge_changes(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from assistant.knowledge import load_knowledge
    from assistant.retrieval import Retriever

    Retriever(_fresh(tmp_path), assistant.knowledge, assistant.embedder, assistant.rules)
    shutil.copytree(Settings().knowledge_dir, tmp_path / "k")
    doc = tmp_path / "k" / "coop-guidance.de.txt"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nNeuer Absatz über Webinare.\n", encoding="utf-8")
    changed = load_knowledge(tmp_path / "k")
    assert changed.fingerprint != assistant.knowledge.fingerprint
    before = _segment_dirs(tmp_path)
    again = Retriever(_fresh(tmp_path, tmp_path / "k"), changed, assistant.embedder, assistant.rules)
    assert again.rebuilt
    after = _segment_dirs(tmp_path)
    assert after and not (before & after), "the previous index's folders were left on disk"


def _segment_dirs(tmp_path: Path) -> set[str]:
    import uuid as _uuid

    names = set()
    for child in (_fresh(tmp_path).chroma_dir).iterdir():
        try:
            _uuid.UUID(child.name)
        except ValueError:
            continue
        names.add(child.name)
    return names


def test_corrupt_index_is_rebuilt(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from assistant.retrieval import Retriever

    Retriever(_fresh(tmp_path), assistant.knowledge, assistant.embedder, assistant.rules)
    for f in (tmp_path / "data" / "chroma").rglob("*"):
        if f.is_file():
            f.write_bytes(b"\x00garbage" * 64)
    healed = Retriever(_fresh(tmp_path), assistant.knowledge, assistant.embedder, assistant.rules)
    assert healed.rebuilt
    assert healed.search("Wie lange wird das Budget aufgebaut?", 3)


def test_other_stores_survive_a_rebuild(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Healing one corrupt store must not break the assistant's own open index."""
    test_corrupt_index_is_rebuilt(assistant, tmp_path)
    assert assistant.retriever.search("Messestand", 3)


def test_chroma_server_mode(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """COOP_CHROMA_HOST/PORT select a Chroma server (`chroma run`, on 127.0.0.1 only)."""
    from assistant.retrieval import Retriever
    from tests.chroma_server import ChromaServer

    try:
        server = ChromaServer(tmp_path / "server").start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        settings = Settings(data_dir=tmp_path / "data", chroma_host="127.0.0.1", chroma_port=server.port)
        remote = Retriever(settings, assistant.knowledge, assistant.embedder, assistant.rules)
        assert remote.rebuilt
        assert remote.search("Wie lange wird das Co-op-Budget aufgebaut?", 3)[0].section_id == "overview"
        assert not (tmp_path / "data" / "chroma").exists()  # nothing written to the embedded store
        again = Retriever(settings, assistant.knowledge, assistant.embedder, assistant.rules)
        assert not again.rebuilt
    finally:
        server.stop()


def test_unreachable_chroma_server_gives_a_clear_error(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from assistant.errors import IndexStoreError
    from assistant.retrieval import Retriever

    settings = Settings(data_dir=tmp_path / "data", chroma_host="127.0.0.1", chroma_port=9)
    with pytest.raises(IndexStoreError, match="COOP_CHROMA_HOST"):
        Retriever(settings, assistant.knowledge, assistant.embedder, assistant.rules)


def test_index_rebuilt_by_another_process_is_reopened(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A running server whose collection was replaced underneath it answers instead of failing."""
    from assistant.retrieval import Retriever

    running = Retriever(_fresh(tmp_path), assistant.knowledge, assistant.embedder, assistant.rules)
    client = running._client()
    client.delete_collection(running.collection_name)  # what a rebuild elsewhere does first
    hits = running.search("Wie lange wird das Co-op-Budget aufgebaut?", 3)
    assert hits[0].section_id == "overview"


def test_a_record_without_a_section_is_skipped(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Session 13: two evaluation processes on one data dir, one with changed rule data, rebuilt the index while the
    other queried it; a record without metadata came back and the query crashed (TypeError). It is skipped."""
    from assistant.retrieval import Retriever

    running = Retriever(_fresh(tmp_path), assistant.knowledge, assistant.embedder, assistant.rules)
    question = "Wie lange wird das Co-op-Budget aufgebaut?"
    running.collection.add(ids=["being-written"], embeddings=assistant.embedder.encode([question]).tolist())
    hits = running.search(question, 3)
    assert hits[0].section_id == "overview"


@pytest.mark.parametrize(("question", "reply", "error"), [
    ("Können wir " + "LinkedIn-Anzeigen und Messen bezahlen? " * 150, "Zeichen; erlaubt sind höchstens 4.000",
     "the limit is 4,000"),
    ("Can we pay for " + "LinkedIn ads and trade shows? " * 150, "the limit is 4,000", "the limit is 4,000"),
], ids=["german", "english"])
def test_input_errors_reply_in_the_questions_language(assistant, question: str, reply: str,  # type: ignore[no-untyped-def]
                                                      error: str) -> None:
    data = assistant.answer(question, "e2").to_contract()
    assert reply in data["answer"] and error in data["error"] and data["handoff"]


def test_a_primed_block_gives_the_answers_of_one_question_at_a_time(assistant) -> None:  # type: ignore[no-untyped-def]
    """Batch mode (#9) encodes a block of questions in one call and queries the index once: the same answers (sources
    and their scores included) as asking one at a time, over more lines than one block and in an order the encoder's
    length sort changes."""
    import json

    from assistant.batch import BLOCK, run_batch
    from assistant.dialogue.resolver import Conversation

    conversation = Conversation(assistant)
    questions = ["Können wir eine mehrtägige Messe mit eigenem Stand und Catering für Kunden über Co-op bezahlen?",
                 "SEO?", "Welche Nachweise brauchen wir für eine E-Mail-Kampagne?", "Google Ads for Azure – co-op?",
                 "Is the MDF co-funding allowed?", "Schulung", ""] * (BLOCK // 3)
    lines = [json.dumps({"id": str(n), "question": q}) for n, q in enumerate(questions)]
    batched = list(run_batch(lines, conversation))
    assert assistant.retriever._primed  # the last block was primed
    assistant.retriever._primed = {}
    single = [conversation.answer(q, None, str(n)).to_contract() for n, q in enumerate(questions)]
    assert len(batched) == len(single) > BLOCK
    for got, want in zip(batched, single, strict=True):
        got.pop("line")
        assert got == want
