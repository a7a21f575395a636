from ingest.chunker import ClauseChunker
from ingest.models import Clause, DocumentMeta
from ingest.structure import ClauseTree


def test_chunks_carry_heading_path_pages_and_split_at_paragraphs() -> None:
    meta = DocumentMeta(doc_id="d1", rec_id="ITU-T X.0", edition="2020-01")
    long_paragraphs = [f"Paragraph {i} " + "word " * 60 for i in range(10)]
    tree = ClauseTree(
        clauses=[
            Clause(number="3", heading="Definitions", level=1),
            Clause(
                number="3.2",
                heading="Terms defined here",
                level=2,
                parent="3",
                paragraphs=["3.2.1 a: b."],
                page_start=4,
                page_end=4,
            ),
            Clause(
                number="7",
                heading="Requirements",
                level=1,
                paragraphs=long_paragraphs,
                page_start=8,
                page_end=9,
            ),
        ]
    )
    chunks = ClauseChunker(max_chars=700).chunk(tree, meta)
    first = chunks[0]
    assert (
        first.clause == "3.2" and first.heading_path == "ITU-T X.0 > 3 Definitions > 3.2 Terms defined here"
    )
    assert first.text.startswith(first.heading_path + "\n") and first.page_start == 4
    parts = [c for c in chunks if c.clause == "7"]
    assert len(parts) > 1 and all(len(c.text) <= 700 + len(c.heading_path) + 1 for c in parts)
    body = "\n".join(c.text.split("\n", 1)[1] for c in parts)
    assert body == "\n".join(long_paragraphs)  # nothing lost, nothing cut mid-paragraph
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert first.metadata()["rec_id"] == "ITU-T X.0" and "sector" not in first.metadata()
