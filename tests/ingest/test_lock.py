"""One writer per index: a second process is refused with a clear message, and a killed writer never
leaves the index locked."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.lock import IndexBusy, writer_lock
from rapporteur.cli import EXIT_ERROR, EXIT_OK, main

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus" / "samples" / "draft-Y.ML-QA-sample.md"
HOLD = "import sys, time; from pathlib import Path; from ingest.lock import writer_lock\n" \
       "with writer_lock(Path(sys.argv[1])):\n    print('holding', flush=True); time.sleep(600)"  # fmt: skip


def test_a_second_writer_is_refused_until_the_first_is_gone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "index"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(index)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout and holder.stdout.readline().strip() == "holding"
        assert main(["ingest", str(SAMPLE), "--index", str(index)]) == EXIT_ERROR
        message = capsys.readouterr().err
        assert str(index) in message and f"pid {holder.pid}" in message
        assert main(["remove", "draft-y.ml-qa-sample.md", "--index", str(index)]) == EXIT_ERROR
        assert "try again" in capsys.readouterr().err
        with pytest.raises(IndexBusy), writer_lock(index):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert main(["ingest", str(SAMPLE), "--index", str(index)]) == EXIT_OK, "kill -9 released the lock"
    assert main(["remove", "draft-y.ml-qa-sample.md", "--index", str(index)]) == EXIT_OK


def test_the_lock_is_free_again_after_the_block(tmp_path: Path) -> None:
    with writer_lock(tmp_path):
        pass
    with writer_lock(tmp_path):
        assert (tmp_path / "writer.lock").read_text().strip().isdigit()
