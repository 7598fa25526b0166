"""Hybrid retrieval over the guidance sections: Chroma (embeddings) + BM25 (words), fused per section."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rank_bm25 import BM25Okapi

from assistant.config import Settings
from assistant.embeddings import Embedder
from assistant.errors import IndexStoreError
from assistant.knowledge import KnowledgeBase
from assistant.text import words

log = logging.getLogger(__name__)
DENSE_WEIGHT = 0.55
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


def make_chunks(kb: KnowledgeBase) -> list[Chunk]:
    return [
        Chunk(f"{doc.spec.id}:{s.id}", s.id, doc.spec.id, doc.spec.language, s.title, s.text)
        for doc in kb.documents
        for s in doc.sections
    ]


class Retriever:
    """Opens (or builds) the Chroma index for the knowledge base and answers hybrid queries."""

    def __init__(self, settings: Settings, kb: KnowledgeBase, embedder: Embedder,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.settings = settings
        self.kb = kb
        self.embedder = embedder
        self.chunks = make_chunks(kb)
        self._bm25 = BM25Okapi([lexical_tokens(c.title + " " + c.text) for c in self.chunks])
        self.rebuilt = False
        self.collection = self._open(progress)

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
        try:
            return self._open_once(progress)
        except IndexStoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - a corrupt store raises many kinds of errors
            if self.settings.chroma_host:
                raise IndexStoreError(
                    f"Cannot use the Chroma server at {self.settings.chroma_host}:{self.settings.chroma_port} ({exc}). "
                    "Check that it runs, or unset COOP_CHROMA_HOST to use the embedded store."
                ) from exc
            log.warning("index at %s unreadable (%s); rebuilding it", self.settings.chroma_dir, exc)
            shutil.rmtree(self.settings.chroma_dir, ignore_errors=True)
            try:
                return self._open_once(progress)
            except Exception as again:  # noqa: BLE001
                raise IndexStoreError(
                    f"Cannot build the index in {self.settings.chroma_dir} ({again}). "
                    "Check the folder is writable (COOP_DATA_DIR)."
                ) from again

    def _open_once(self, progress: Callable[[int, int], None] | None) -> Any:
        client = self._client()
        name = self.settings.collection
        try:
            col = client.get_collection(name, embedding_function=None)
            meta = col.metadata or {}
            if meta.get("fingerprint") == self.kb.fingerprint and col.count() == len(self.chunks):
                return col
            log.info("knowledge changed (index %s, files %s): rebuilding", meta.get("fingerprint"), self.kb.fingerprint)
            client.delete_collection(name)
        except Exception as exc:  # noqa: BLE001 - chroma raises different errors for "missing"
            if "does not exist" not in str(exc).lower() and "not found" not in str(exc).lower():
                raise
        col = client.create_collection(
            name, embedding_function=None, metadata={"fingerprint": self.kb.fingerprint, "hnsw:space": "cosine"}
        )
        total = len(self.chunks)
        batch = 8
        for start in range(0, total, batch):
            part = self.chunks[start : start + batch]
            vectors = self.embedder.encode([c.title + "\n" + c.text for c in part])
            col.add(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                embeddings=vectors.tolist(),
                metadatas=[{"section_id": c.section_id, "doc_id": c.doc_id, "language": c.language,
                            "title": c.title} for c in part],
            )
            if progress:
                progress(min(start + batch, total), total)
        self.rebuilt = True
        return col

    # -- query -----------------------------------------------------------------
    def search(self, query: str, k: int = 4) -> list[Hit]:
        """Sections ranked by fused dense + BM25 score (each normalised to 0..1)."""
        vector = self.embedder.encode([query])[0].tolist()
        try:
            res = self.collection.query(query_embeddings=[vector], n_results=len(self.chunks),
                                        include=["metadatas", "distances"])
        except Exception as exc:  # noqa: BLE001
            raise IndexStoreError(f"The index could not be queried ({exc}). Run `coop-assistant ingest`.") from exc
        dense: dict[str, float] = {}
        for meta, dist in zip(res["metadatas"][0], res["distances"][0], strict=True):
            sid = str(meta["section_id"])
            dense[sid] = max(dense.get(sid, 0.0), 1.0 - float(dist))
        raw = self._bm25.get_scores(lexical_tokens(query))
        top = max(raw) if len(raw) and max(raw) > 0 else 1.0
        lexical: dict[str, float] = {}
        for chunk, score in zip(self.chunks, raw, strict=True):
            lexical[chunk.section_id] = max(lexical.get(chunk.section_id, 0.0), float(score) / top)
        sections = {c.section_id for c in self.chunks}
        hits = [
            Hit(s, round(DENSE_WEIGHT * dense.get(s, 0.0) + (1 - DENSE_WEIGHT) * lexical.get(s, 0.0), 4),
                round(dense.get(s, 0.0), 4), round(lexical.get(s, 0.0), 4))
            for s in sections
        ]
        hits.sort(key=lambda h: (-h.score, h.section_id))
        return hits[:k] if k else hits

    def passage(self, section_id: str) -> str:
        return self.kb.section(section_id).text

