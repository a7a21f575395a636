import numpy as np

from ingest.embedding import MiniLMEmbedder


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
