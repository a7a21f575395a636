"""The vector store as a real Chroma server on loopback, chosen by setting alone (client/server mode).

``.ci/run`` starts one and names its port in ``RAPPORTEUR_TEST_CHROMA_PORT``; run plainly, the fixture
starts its own with the ``chroma`` command that chromadb installs beside this Python.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from copilot.retrieval import HybridRetriever, IndexReader
from ingest.library import Library
from ingest.vectors import EF_SEARCH
from rapporteur.processes import free_port, stop_process
from rapporteur.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus" / "samples" / "draft-Y.ML-QA-sample.md"
HOST = "127.0.0.1"


def _wait_until_up(port: int, server: subprocess.Popen[bytes] | None, log: Path | None) -> None:
    """Poll the heartbeat until the server answers (a fresh server takes a second or two)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            detail = log.read_text(errors="replace")[-2000:] if log else ""
            pytest.fail(f"chroma server exited with status {server.returncode}:\n{detail}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/api/v2/heartbeat", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"no chroma server answered on {HOST}:{port} within 60 s")


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The port of a running Chroma server: the one .ci/run started, else one started (and stopped) here."""
    given = os.environ.get("RAPPORTEUR_TEST_CHROMA_PORT")
    if given:
        _wait_until_up(int(given), None, None)
        yield int(given)
        return
    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port(HOST)
    log = folder / "server.log"
    command = [str(Path(sys.executable).with_name("chroma")), "run", "--path", str(folder / "data")]
    with log.open("wb") as out:
        server = subprocess.Popen([*command, "--host", HOST, "--port", str(port)], stdout=out, stderr=out)
    try:
        _wait_until_up(port, server, log)
        yield port
    finally:
        stop_process(server)


def test_ingest_and_search_through_a_chroma_server(chroma_port: int, tmp_path: Path) -> None:
    collection = f"rapporteur_test_{uuid.uuid4().hex[:12]}"
    settings = Settings(
        index=tmp_path / "index", chroma={"host": HOST, "port": chroma_port, "collection": collection}
    )
    draft, note = tmp_path / "draft.md", tmp_path / "note.md"
    shutil.copy(SAMPLE, draft)
    note.write_text(
        "# Note\n\n## 1 Scope\n\nThis note describes the calibration of optical test equipment.\n"
    )
    client = chromadb.HttpClient(
        host=HOST, port=chroma_port, settings=ChromaSettings(anonymized_telemetry=False)
    )
    library = Library(settings)
    try:
        report = library.ingest([draft, note])
        assert not report.failed and len(report.added) == 2
        assert not (tmp_path / "index" / "chroma").exists(), "no embedded store beside the server"

        remote = client.get_collection(collection, embedding_function=None)
        assert remote.count() == report.chunks == library.store.chunk_count() > 5
        assert remote.configuration_json["embedding_function"] is None, "Chroma must never embed for us"
        assert remote.configuration_json["hnsw"]["ef_search"] == EF_SEARCH

        reader = IndexReader(settings)
        retriever = HybridRetriever(reader)
        dense = retriever.search("calibrating optical measurement instruments", k=3, mode="dense")
        assert dense[0].doc_id == "note.md"
        hits = retriever.search("What is model drift?", k=3)
        assert (hits[0].doc_id, hits[0].clause) == ("draft.md", "3.2.1")
        reader.close()

        assert library.remove("note.md") == ["note.md"]
        assert remote.count() == library.store.chunk_count() == report.chunks - 1
    finally:
        library.close()
        client.delete_collection(collection)
