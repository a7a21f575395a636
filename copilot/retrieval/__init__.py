"""Hybrid retrieval with clause-level citations, in composable stages.

A search runs: filters -> query understanding (:mod:`copilot.query`) and record signals
(:mod:`copilot.retrieval.signals`) -> list producers (lexical BM25, dense vectors, records, titles)
-> weighted reciprocal-rank fusion -> the pinning stage (what the question names exactly goes
first) -> citations. Lists are deduplicated to clauses *before* fusion (a clause split into several
chunks, or printed in several copies of the same Recommendation, counts once), so a hit is a clause,
never a fragment. Callers depend on the small :class:`Retriever` protocol and read the index through
:class:`IndexReader`, never through ingest's ``Library``.
"""

from copilot.citation import Citation
from copilot.retrieval.filters import FILTER_KEYS, FilterError
from copilot.retrieval.index import IndexReader, IndexView
from copilot.retrieval.retriever import HybridRetriever, Mode, Retriever

__all__ = [
    "FILTER_KEYS",
    "Citation",
    "FilterError",
    "HybridRetriever",
    "IndexReader",
    "IndexView",
    "Mode",
    "Retriever",
]
