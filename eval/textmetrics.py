"""Text measures shared by the generation suites: ROUGE-L against a gold text, embedding similarity,
and the citations a generated text writes out."""

from __future__ import annotations

import re

import numpy as np

from copilot.lexical import tokenize
from ingest.embedding import Embedder

_WRITTEN = re.compile(r"\[((?:ITU-[TR]|CCITT|CCIR)\s+[^\]]{1,40})\](?:\s+clause\s+(\w+(?:\.\w+)*))?")


def rouge_l(candidate: str, reference: str) -> float:
    """F1 of the longest common subsequence of content-word tokens (stemmed, stopwords out)."""
    a, b = tokenize(candidate), tokenize(reference)
    if not a or not b:
        return 0.0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)


def cosine(embedder: Embedder, candidate: str, reference: str) -> float:
    vectors = np.asarray(embedder.embed([candidate, reference]), dtype=np.float32)
    a, b = vectors[0], vectors[1]
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))


def written_citations(text: str) -> list[tuple[str, str | None]]:
    """Every ``[ITU-T X.y] clause n`` (clause optional) a text writes, as (rec id, clause)."""
    return [(m.group(1).strip(), m.group(2)) for m in _WRITTEN.finditer(text)]
