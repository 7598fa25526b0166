"""The ONNX encoder gives sentence-transformers' vectors without torch at run time."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.config import PROJECT_ROOT
from assistant.embeddings import (
    BATCH,
    PAD_SHARE,
    OnnxEmbedder,
    TorchEmbedder,
    _batches,
    default_model_path,
    encode_fixed,
    get_embedder,
    weights_digest,
)
from assistant.errors import IndexStoreError


def _eval_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted((PROJECT_ROOT / "evals" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                texts += [case["question"]] if "question" in case else [t["question"] for t in case["turns"]]
    return texts


@pytest.mark.slow
def test_onnx_vectors_equal_sentence_transformers_on_every_eval_question() -> None:
    texts = _eval_texts()
    assert len(texts) > 300
    texts += ["", "x", "Messe " * 400]  # empty, one letter, longer than the 256-token window
    onnx = get_embedder(backend="onnx").encode(texts)
    torch = TorchEmbedder(default_model_path()).encode(texts)
    assert onnx.shape == torch.shape == (len(texts), 384)
    cosine = (onnx * torch).sum(axis=1)
    assert cosine.min() >= 0.999, texts[int(cosine.argmin())]
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


def test_encode_keeps_the_order_of_texts_of_mixed_length() -> None:
    encoder = get_embedder(backend="onnx")
    texts = [f"{'sehr ' * (n % 7)}Printanzeigen Nummer {n}" for n in range(70)]
    together = encoder.encode(texts)
    alone = np.vstack([encoder.encode([t]) for t in texts[::9]])
    assert np.allclose(together[::9], alone, atol=1e-4)
    assert encoder.encode([]).shape == (0, 384)


@pytest.mark.parametrize("lengths", [
    [],
    [12],
    [30, 8, 31, 9, 8, 30, 12, 64],  # a batch block of unlike lengths: runs apart
    [20] * 70,  # alike: BATCH at a time
    [5, 6, 5, 6, 50, 51, 52, 200],
    list(range(1, 100)),
])
def test_batches_hold_each_text_once_with_little_padding(lengths: list[int]) -> None:
    batches = _batches(lengths)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        own = sum(lengths[i] for i in batch)
        assert 1 <= len(batch) <= BATCH
        assert max(lengths[i] for i in batch) * len(batch) <= (1 + PAD_SHARE) * own


def test_the_graph_runs_on_each_batch_padded_to_its_longest_text_only() -> None:
    encoder = OnnxEmbedder(default_model_path())
    widths: list[tuple[int, int]] = []
    run = encoder.session.run

    def spy(names: object, feeds: dict[str, np.ndarray]) -> object:
        widths.append(feeds["input_ids"].shape)
        return run(names, feeds)

    encoder.session.run = spy  # type: ignore[method-assign]
    short, long = "SEO?", "Können wir die Übersetzung unserer Fallstudie über Microsoft Fabric mit Co-op bezahlen?"
    n_short, n_long = (len(encoder.tokenizer.encode(t).ids) for t in (short, long))
    vectors = encoder.encode([long, short, short])
    assert sorted(widths) == [(1, n_long), (2, n_short)]  # not padded to a fixed length, nor the short to the long
    assert np.allclose(vectors[1], vectors[2]) and not np.allclose(vectors[0], vectors[1])


def test_a_damaged_exported_graph_is_reported_and_removed(tmp_path: Path) -> None:
    path = default_model_path()
    graph = tmp_path / f"minilm-{weights_digest(path)}.onnx"
    graph.write_bytes(b"not an onnx graph")
    with pytest.raises(IndexStoreError, match="start again"):
        OnnxEmbedder(path, tmp_path)
    assert not graph.exists()


class _Counting:
    """The real encoder, counting how many texts it was asked to encode."""

    def __init__(self) -> None:
        self.inner = get_embedder(backend="onnx")
        self.path, self.fingerprint, self.encoded = self.inner.path, self.inner.fingerprint, 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.encoded += len(texts)
        return self.inner.encode(texts)


def test_fixed_texts_are_encoded_once_and_again_when_the_file_is_damaged(tmp_path: Path) -> None:
    texts = ["Printanzeigen", "Social-Media-Marketing", "Messen und Events"]
    counting = _Counting()
    first = encode_fixed(counting, texts, tmp_path)
    second = encode_fixed(counting, texts, tmp_path)
    assert counting.encoded == 3 and np.array_equal(first, second)
    encode_fixed(counting, [*texts, "SEO"], tmp_path)  # other texts, other file
    assert counting.encoded == 7
    (stored,) = [p for p in tmp_path.glob("vectors-*.npy") if np.load(p).shape[0] == 3]
    stored.write_bytes(b"damaged")
    assert np.allclose(encode_fixed(counting, texts, tmp_path), first, atol=1e-6)
    assert counting.encoded == 10


def test_the_weights_digest_is_kept_while_the_file_is_unchanged(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"weights one")
    memo = tmp_path / "weights-digest.json"
    first = weights_digest(model, memo)
    assert first == weights_digest(model) and json.loads(memo.read_text())["digest"] == first
    memo.write_text(memo.read_text().replace(first, "kept-from-memo"))  # read back, not hashed again
    assert weights_digest(model, memo) == "kept-from-memo"
    (model / "model.safetensors").write_bytes(b"weights number two")  # size changed: hashed again
    assert weights_digest(model, memo) == weights_digest(model) != first
