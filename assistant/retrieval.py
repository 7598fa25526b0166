"""Hybrid retrieval over the guidance sections: Chroma (embeddings) + BM25 (words), fused per section."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rank_bm25 import BM25Okapi

from assistant.config import Settings
from assistant.embeddings import Embedder, encode_fixed
from assistant.errors import IndexStoreError
from assistant.knowledge import KnowledgeBase
from assistant.rules.loader import RuleBase
from assistant.text import words

log = logging.getLogger(__name__)
_ENDINGS = ("ungen", "ung", "en", "er", "es", "e", "s", "n")


@dataclass(frozen=True)
class Chunk:
    """One section of one document (German original or its rendering)."""

    id: str
    section_id: str
    doc_id: str
    language: str
    title: str
    text: str


@dataclass(frozen=True)
class Hit:
    section_id: str
    score: float
    dense: float
    lexical: float


def stem(word: str) -> str:
    """A light stemmer for BM25: strip one common ending, keep at most 8 letters."""
    for ending in _ENDINGS:
        if len(word) > len(ending) + 3 and word.endswith(ending):
            word = word[: -len(ending)]
            break
    return word[:8]


def lexical_tokens(text: str) -> list[str]:
    return [stem(w) for w in words(text) if len(w) > 1]


def make_chunks(kb: KnowledgeBase, rules: RuleBase | None = None) -> list[Chunk]:
    """Every section of every document, plus one alias chunk per rule and topic.

    The alias chunks (the rules' titles, example phrasings and trigger terms in German and
    English) point at the section the rule or topic rests on, so a question in everyday
    words ("LinkedIn-Anzeigen") finds the guidance passage ("Digitale Werbung").
    They are never shown as sources: results are reported per section.
    """
    chunks = [
        Chunk(f"{doc.spec.id}:{s.id}", s.id, doc.spec.id, doc.spec.language, s.title, s.text)
        for doc in kb.documents
        for s in doc.sections
    ]
    if rules is not None:
        for r in rules.rules:
            text = "; ".join([r.title.de, r.title.en, *r.examples.all(), *r.terms.all(), *r.ambiguous_terms.all()])
            chunks.append(Chunk(f"rule:{r.id}", r.section, "rules", "mixed", r.title.de,
                                text.replace(" + ", " ").replace("|", " ")))
        for t in rules.topics:
            for sid in t.sections:
                text = "; ".join(t.terms.all()).replace(" + ", " ")
                chunks.append(Chunk(f"topic:{t.id}:{sid}", sid, "topics", "mixed", t.id, text))
    return chunks


class Retriever:
    """Opens (or builds) the Chroma index for the knowledge base and answers hybrid queries."""

    def __init__(self, settings: Settings, kb: KnowledgeBase, embedder: Embedder, rules: RuleBase | None = None,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.settings = settings
        self.kb = kb
        self.embedder = embedder
        self.chunks = make_chunks(kb, rules)
        self._section_of = {c.id: c.section_id for c in self.chunks}
        self.fingerprint = f"{kb.fingerprint}-{rules.fingerprint if rules else 'none'}"
        # one collection per knowledge edition: instances sharing a Chroma server during a rolling deploy each read
        # their own, and a build never deletes what another instance is reading
        self.collection_name = f"{settings.collection}-{hashlib.sha256(self.fingerprint.encode()).hexdigest()[:16]}"
        self._bm25 = BM25Okapi([lexical_tokens(c.title + " " + c.text) for c in self.chunks])
        self.rebuilt = False
        self.collection = self._open(progress)
        self._primed: dict[str, Any] = {}  # query text → its index result, for the block of questions `prime` read

    # -- index -----------------------------------------------------------------
    def _client(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_host:
            return chromadb.HttpClient(host=self.settings.chroma_host, port=self.settings.chroma_port,
                                       settings=chroma_settings)
        self.settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(self.settings.chroma_dir), settings=chroma_settings)

    def _open(self, progress: Callable[[int, int], None] | None) -> Any:
        """Open or build the index under a file lock: a second process waits, then reuses what the first built."""
        from filelock import FileLock

        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.settings.data_dir / "index.lock")):
            return self._open_locked(progress)

    def _open_locked(self, progress: Callable[[int, int], None] | None) -> Any:
        try:
            return self._open_once(progress)
        except IndexStoreError:
            raise
        except Exception as exc:
            if self.settings.chroma_host:
                raise IndexStoreError(
                    f"Cannot use the Chroma server at {self.settings.chroma_host}:{self.settings.chroma_port} ({exc}). "
                    "Check that it runs, or unset COOP_CHROMA_HOST to use the embedded store."
                ) from exc
            log.warning("index at %s unreadable (%s); rebuilding it", self.settings.chroma_dir, exc)
            shutil.rmtree(self.settings.chroma_dir, ignore_errors=True)
            _forget_client(self.settings.chroma_dir)
            try:
                return self._open_once(progress)
            except Exception as again:
                raise IndexStoreError(
                    f"Cannot build the index in {self.settings.chroma_dir} ({again}). "
                    "Check the folder is writable (COOP_DATA_DIR)."
                ) from again

    def _open_once(self, progress: Callable[[int, int], None] | None) -> Any:
        """This edition's collection when complete; else it is filled (upsert: a second builder, here or in another
        instance, writes the same ids and vectors) and, on the embedded store, other editions' collections dropped."""
        client = self._client()
        try:
            col = client.get_collection(self.collection_name, embedding_function=None)
            if col.count() == len(self.chunks):
                return col
            log.info("index %s incomplete (%d of %d chunks): filling it", self.collection_name, col.count(),
                     len(self.chunks))
        except Exception as exc:
            if "does not exist" not in str(exc).lower() and "not found" not in str(exc).lower():
                raise
        col = client.get_or_create_collection(
            self.collection_name, embedding_function=None,
            metadata={"fingerprint": self.fingerprint, "hnsw:space": "cosine"})
        total = len(self.chunks)
        # the chunks are fixed texts: their vectors are kept in the model cache by content hash (`encode_fixed`), so
        # a fresh data dir or a rebuild encodes nothing the machine has encoded before
        vectors = encode_fixed(self.embedder, [c.title + "\n" + c.text for c in self.chunks],
                               self.settings.model_cache / "vectors")
        batch = 8
        for start in range(0, total, batch):
            part = self.chunks[start : start + batch]
            col.upsert(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                embeddings=vectors[start : start + batch].tolist(),
                metadatas=[{"section_id": c.section_id, "doc_id": c.doc_id, "language": c.language,
                            "title": c.title} for c in part],
            )
            if progress:
                progress(min(start + batch, total), total)
        self.rebuilt = True
        if not self.settings.chroma_host:
            self.prune(client)
            remove_orphan_segments(self.settings.chroma_dir)
        return col

    def prune(self, client: Any | None = None) -> list[str]:
        """Drop the collections of other knowledge editions (this one's base name, another fingerprint); returns their
        names. Automatic on the embedded store; on a shared Chroma server `coop-assistant ingest --prune`, once every
        instance runs the new edition."""
        client = client or self._client()
        base = self.settings.collection
        dropped = []
        for name in _names(client.list_collections()):
            if name != self.collection_name and (name == base or name.startswith(base + "-")):
                client.delete_collection(name)
                dropped.append(name)
        return dropped

    def rebuild(self) -> None:
        """Delete this edition's collection and build it again (`coop-assistant ingest --rebuild`); instances reading
        it reopen it at their next query."""
        from filelock import FileLock

        with FileLock(str(self.settings.data_dir / "index.lock")):
            client = self._client()
            with contextlib.suppress(Exception):
                client.delete_collection(self.collection_name)
            self.collection = self._open_locked(None)

    # -- query -----------------------------------------------------------------
    def prime(self, queries: list[str]) -> None:
        """Batch mode: encode `queries` in one encoder call (batches of similar length) and query the index once for
        all of them; `search` then takes each one's dense scores from here. Replaces the block primed before (memory
        stays one block). Same results as querying one at a time."""
        texts = list(dict.fromkeys(q for q in queries if q))
        self._primed = {}
        if not texts:
            return
        vectors = self.embedder.encode(texts).tolist()
        res = self._query_with_retry(vectors)
        self._primed = {t: (res["ids"][n], res["distances"][n]) for n, t in enumerate(texts)}

    def search(self, query: str, k: int = 4) -> list[Hit]:
        """Sections ranked by fused dense + BM25 score (each normalised to 0..1)."""
        primed = self._primed.get(query)
        if primed is None:
            res = self._query_with_retry(self.embedder.encode([query]).tolist())
            primed = (res["ids"][0], res["distances"][0])
        dense: dict[str, float] = {}
        for chunk_id, dist in zip(*primed, strict=True):
            sid = self._section_of.get(chunk_id)
            if sid is None:  # not a chunk of this edition (nothing else is stored under its collection name)
                continue
            dense[sid] = max(dense.get(sid, 0.0), 1.0 - float(dist))
        raw = self._bm25.get_scores(lexical_tokens(query))
        top = max(raw) if len(raw) and max(raw) > 0 else 1.0
        lexical: dict[str, float] = {}
        for chunk, score in zip(self.chunks, raw, strict=True):
            lexical[chunk.section_id] = max(lexical.get(chunk.section_id, 0.0), float(score) / top)
        sections = {c.section_id for c in self.chunks}
        w = self.settings.retrieval_dense_weight
        hits = [
            Hit(s, round(w * dense.get(s, 0.0) + (1 - w) * lexical.get(s, 0.0), 4),
                round(dense.get(s, 0.0), 4), round(lexical.get(s, 0.0), 4))
            for s in sections
        ]
        hits.sort(key=lambda h: (-h.score, h.section_id))
        return hits[:k] if k else hits

    def _query_with_retry(self, vectors: list[list[float]]) -> Any:
        try:
            return self._query(vectors)
        except Exception as first:  # noqa: BLE001 - e.g. another process rebuilt the collection
            log.warning("index query failed (%s); reopening the index", first)
            try:
                self.collection = self._open(None)
                return self._query(vectors)
            except Exception as exc:
                raise IndexStoreError(f"The index could not be queried ({exc}). Run `coop-assistant ingest`.") from exc

    def _query(self, vectors: list[list[float]]) -> Any:
        # the distances alone: each id is a chunk of ours (`_section_of`), so the stored metadata need not be read
        # back (2.4 of 4.3 ms per query on this machine, session 31)
        return self.collection.query(query_embeddings=vectors, n_results=len(self.chunks), include=["distances"])

    def passage(self, section_id: str) -> str:
        return self.kb.section(section_id).text



def _names(collections: Any) -> list[str]:
    """Collection names from `list_collections()` (names in some chromadb versions, objects in others)."""
    return [c if isinstance(c, str) else str(c.name) for c in collections]


def remove_orphan_segments(chroma_dir: Path) -> list[str]:
    """Delete segment folders of deleted collections (Chroma leaves them on disk); returns their names.

    A folder is kept when Chroma's own catalogue (`chroma.sqlite3`, table `segments`) still names it.
    Called under the index lock, right after a rebuild.
    """
    import sqlite3
    import uuid

    catalogue = chroma_dir / "chroma.sqlite3"
    if not catalogue.exists():
        return []
    with contextlib.closing(sqlite3.connect(f"file:{catalogue}?mode=ro", uri=True)) as db:
        live = {str(row[0]) for row in db.execute("SELECT id FROM segments")}
    removed = []
    for child in chroma_dir.iterdir():
        try:
            uuid.UUID(child.name)
        except ValueError:
            continue
        if child.is_dir() and child.name not in live:
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child.name)
    if removed:
        log.info("removed %d folder(s) of the previous index", len(removed))
    return removed


def _forget_client(path: Path) -> None:
    """Chroma keeps one client per store path in the process; a deleted store needs a fresh one.

    Only the entry for `path` is dropped, so other open stores keep working.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    target = str(path.resolve())
    for key in list(SharedSystemClient._identifier_to_system):
        if key in (target, str(path)):
            system = SharedSystemClient._identifier_to_system.pop(key)
            SharedSystemClient._identifier_to_refcount.pop(key, None)
            try:
                system.stop()
            except Exception:
                log.debug("stopping the old chroma system failed", exc_info=True)
