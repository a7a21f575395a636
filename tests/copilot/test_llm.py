"""Model endpoints: a real llama.cpp server for the happy path, real loopback HTTP servers that fail
in the ways endpoints do (refused, 500, 401, too slow) for the messages people see instead."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from copilot.llm import LlamaServer, LLMError, LLMUnavailable, Message, ModelHost, OpenAIChat
from rapporteur.settings import Settings

HELLO = [Message(role="user", content="Say hello.")]


def _settings(tmp_path: Path, **llm: object) -> Settings:
    return Settings(index=tmp_path / "index", llm={"model_cache": tmp_path / "models", **llm})


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def failing_endpoint() -> Iterator[tuple[str, dict[str, object]]]:
    """A loopback server answering /v1/chat/completions with the status (and delay) the test sets."""
    behaviour: dict[str, object] = {"status": 500, "delay": 0.0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            time.sleep(float(behaviour["delay"]))  # type: ignore[arg-type]
            body = json.dumps({"error": {"message": "endpoint says no", "type": "server_error"}}).encode()
            self.send_response(int(behaviour["status"]))  # type: ignore[call-overload]
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1", behaviour
    server.shutdown()
    server.server_close()


def _generate(settings: Settings) -> str:
    with ModelHost(settings) as host:
        return host.model().generate(HELLO, max_tokens=8, temperature=0.0).text()


def test_an_unreachable_endpoint_is_named_in_the_message(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with pytest.raises(LLMUnavailable, match=f"cannot reach model endpoint {url}"):
        _generate(_settings(tmp_path, base_url=url, retries=0))


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "answered HTTP 500"),
        (401, "refused the API key; set RAPPORTEUR_LLM_API_KEY"),
        (404, "has no model"),
    ],
)
def test_endpoint_errors_become_messages(
    tmp_path: Path, failing_endpoint: tuple[str, dict[str, object]], status: int, message: str
) -> None:
    url, behaviour = failing_endpoint
    behaviour["status"] = status
    with pytest.raises(LLMError, match=message):
        _generate(_settings(tmp_path, base_url=url, retries=0))


def test_a_slow_endpoint_times_out_with_advice(
    tmp_path: Path, failing_endpoint: tuple[str, dict[str, object]]
) -> None:
    url, behaviour = failing_endpoint
    behaviour["delay"] = 3.0
    with pytest.raises(LLMError, match="did not answer in time; raise RAPPORTEUR_LLM_TIMEOUT"):
        _generate(_settings(tmp_path, base_url=url, retries=0, timeout=0.5))


def test_status_says_why_there_is_no_model(tmp_path: Path) -> None:
    off = ModelHost(_settings(tmp_path, enabled=False)).status()
    assert (off.reachable, off.detail) == (False, "generation is switched off (RAPPORTEUR_LLM_ENABLED=false)")
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    down = ModelHost(_settings(tmp_path, base_url=url, retries=0)).status()
    assert not down.reachable and down.endpoint == url and "cannot reach" in down.detail
    missing = ModelHost(_settings(tmp_path, model=str(tmp_path / "nope.gguf"))).status()
    assert not missing.reachable and "neither a packaged model" in missing.detail


def test_the_embedded_server_streams_tokens(tiny_model: OpenAIChat) -> None:
    generation = tiny_model.generate(HELLO, max_tokens=16, temperature=0.0)
    pieces = list(generation)
    assert len(pieces) > 1 and "".join(pieces).strip()
    stats = generation.stats
    assert stats.first_token_s is not None and 0 < stats.first_token_s <= stats.total_s
    assert stats.tokens == len(pieces) and stats.tokens_per_s > 0
    assert tiny_model.base_url.startswith("http://127.0.0.1:")
    assert tiny_model.reachable() == (True, "serves smollm2-135m")


CRASHING_SERVER = """#!{python}
# Stands in for `python -m llama_cpp.server` built for another CPU: it loads and lists its model, then
# dies of the signal a host-specific instruction raises on the first computation.
import os, signal, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{{"object": "list", "data": [{{"id": "m", "object": "model"}}]}}')

    def do_POST(self):
        os.kill(os.getpid(), signal.SIGSEGV)

port = int(sys.argv[sys.argv.index("--port") + 1])
HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def test_a_server_that_dies_on_its_first_generation_is_refused_with_the_fix(tmp_path: Path) -> None:
    fake_python = tmp_path / "python"
    fake_python.write_text(CRASHING_SERVER.format(python=sys.executable))
    fake_python.chmod(0o755)
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    server = LlamaServer(gguf, "m", _settings(tmp_path).llm, tmp_path / "logs", python=str(fake_python))
    with pytest.raises(LLMUnavailable) as failure:
        server.start()
    message = str(failure.value)
    assert "died on its first generation (signal SIGSEGV" in message
    assert "CMAKE_ARGS=" in message and "-DGGML_NATIVE=OFF" in message
    assert not server.running
