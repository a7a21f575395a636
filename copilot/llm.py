"""Every model is reached through the ``openai`` client against an OpenAI-compatible endpoint.

The endpoint is a setting (OpenAI, vLLM, Ollama, a llama.cpp server). Unset, Rapporteur starts its own
llama.cpp server on a loopback port with a model that an installed package carries, and stops it when
done. Endpoint failures become :class:`LLMError` messages a person can act on, never tracebacks.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, cast

import httpx
import openai
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel

from copilot.cpu_support import embedded_model_blockers, reinstall_hint, usable_features
from copilot.packaged_models import ModelNotInstalled, resolve_gguf
from rapporteur.processes import LOOPBACK, free_port, start_tethered, stop_process
from rapporteur.settings import LLMSettings, Settings

log = logging.getLogger(__name__)


class LLMError(RuntimeError):
    """The model endpoint failed; the message says which endpoint and what to do."""


class LLMUnavailable(LLMError):
    """No model can be reached; everything that needs no model keeps working."""


class Message(BaseModel):
    role: str
    content: str


class GenerationStats(BaseModel):
    """What one generation cost: time to first token, pieces streamed (about one token each), rate."""

    model: str
    first_token_s: float | None = None
    total_s: float = 0.0
    tokens: int = 0
    prompt_chars: int = 0

    @property
    def tokens_per_s(self) -> float:
        generating = self.total_s - (self.first_token_s or 0.0)
        return self.tokens / generating if generating > 0 and self.tokens > 1 else 0.0


class Generation:
    """A streamed completion: iterate for text pieces; ``stats`` is complete once iteration ends."""

    def __init__(self, pieces: Iterator[str], stats: GenerationStats) -> None:
        self._pieces = pieces
        self.stats = stats

    def __iter__(self) -> Iterator[str]:
        started = time.perf_counter()
        for piece in self._pieces:
            if self.stats.first_token_s is None:
                self.stats.first_token_s = time.perf_counter() - started
            self.stats.tokens += 1
            yield piece
        self.stats.total_s = time.perf_counter() - started

    def text(self) -> str:
        return "".join(self)


class ChatModel(Protocol):
    """The seam between Rapporteur and a language model."""

    @property
    def name(self) -> str: ...

    def generate(self, messages: list[Message], *, max_tokens: int, temperature: float) -> Generation: ...


class OpenAIChat:
    """A chat model behind an OpenAI-compatible endpoint; retries and timeouts are the client's."""

    def __init__(self, base_url: str, model: str, llm: LLMSettings, api_key: str | None = None) -> None:
        self.base_url = base_url
        self._model = model
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            timeout=llm.timeout,
            max_retries=llm.retries,
        )

    @property
    def name(self) -> str:
        return self._model

    def generate(self, messages: list[Message], *, max_tokens: int, temperature: float) -> Generation:
        stats = GenerationStats(model=self._model, prompt_chars=sum(len(m.content) for m in messages))
        return Generation(self._stream(messages, max_tokens, temperature), stats)

    def _stream(self, messages: list[Message], max_tokens: int, temperature: float) -> Iterator[str]:
        started = False
        try:
            stream = self._client.chat.completions.create(
                model=self._model,
                messages=[cast(ChatCompletionMessageParam, m.model_dump()) for m in messages],
                max_tokens=max_tokens,
                temperature=temperature,
                stream=True,
            )
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    started = True
                    yield chunk.choices[0].delta.content
        except (openai.APIError, httpx.HTTPError) as exc:
            if started:  # the connection broke mid-stream: the server died or went away
                reason = exc.__cause__ or exc
                raise LLMUnavailable(f"model endpoint {self.base_url} stopped mid-answer: {reason}") from exc
            if isinstance(exc, openai.APIError):
                raise self._explain(exc) from exc
            raise LLMUnavailable(f"cannot reach model endpoint {self.base_url}: {exc}") from exc

    def _explain(self, exc: openai.APIError) -> LLMError:
        where = f"model endpoint {self.base_url}"
        if isinstance(exc, openai.APITimeoutError):
            return LLMError(
                f"{where} did not answer in time; raise RAPPORTEUR_LLM_TIMEOUT or use a smaller model"
            )
        if isinstance(exc, openai.APIConnectionError):
            return LLMUnavailable(f"cannot reach {where}: {exc.__cause__ or exc}")
        if isinstance(exc, openai.AuthenticationError):
            return LLMError(f"{where} refused the API key; set RAPPORTEUR_LLM_API_KEY")
        if isinstance(exc, openai.NotFoundError):
            return LLMError(
                f"{where} has no model {self._model!r}; set RAPPORTEUR_LLM_MODEL to one it serves"
            )
        if isinstance(exc, openai.APIStatusError):
            return LLMError(f"{where} answered HTTP {exc.status_code}: {exc.message}")
        return LLMError(f"{where} failed: {exc}")

    def reachable(self, timeout: float = 5.0) -> tuple[bool, str]:
        """Whether the endpoint answers a model listing, and what it said."""
        try:
            models = self._client.with_options(timeout=timeout, max_retries=0).models.list()
        except openai.APIError as exc:
            return False, str(self._explain(exc))
        served = [m.id for m in models.data]
        return True, f"serves {', '.join(served[:5]) or 'no listed models'}"


class LlamaServer:
    """A llama.cpp OpenAI-compatible server (llama-cpp-python's) on a loopback port, owned by us."""

    def __init__(
        self, gguf: Path, alias: str, llm: LLMSettings, log_dir: Path, python: str = sys.executable
    ) -> None:
        """``python``: the interpreter whose llama-cpp-python serves (a benchmark compares builds)."""
        self.gguf = gguf
        self.python = python
        self.alias = alias
        self.port = free_port()
        self._llm = llm
        self._log_path = log_dir / f"llama-server-{self.port}.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        threads = self._llm.threads or os.cpu_count() or 2
        arguments = [
            "--model", str(self.gguf), "--model_alias", self.alias,
            "--host", LOOPBACK, "--port", str(self.port),
            "--n_threads", str(threads), "--n_ctx", str(self._llm.context),
        ]  # fmt: skip
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with self._log_path.open("wb") as log:
            self._process = start_tethered(self.python, "llama_cpp.server", arguments, log)
        try:
            self._wait_until_ready()
            self._generate_once()
        except BaseException:  # Ctrl-C or SIGTERM while loading: never leave the server behind
            self.stop()
            raise

    def _wait_until_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self._llm.start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                tail = self._log_path.read_text(errors="replace")[-600:]
                raise LLMUnavailable(
                    f"the embedded llama.cpp server exited on start ({self._log_path}): {tail}"
                )
            try:
                if httpx.get(f"{self.base_url}/models", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise LLMUnavailable(
            f"the embedded llama.cpp server did not start within {self._llm.start_timeout:.0f} s "
            f"(log: {self._log_path})"
        )

    def _generate_once(self) -> None:
        """One token before the server is handed out: a library built for another CPU answers the model
        listing but dies on its first computation (SIGILL, or SIGSEGV for a general protection fault on
        an AMX tile instruction), and that must be a message with the fix, not every answer failing."""
        assert self._process is not None
        request = {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
        try:
            url = f"{self.base_url}/chat/completions"
            if httpx.post(url, json=request, timeout=self._llm.timeout).status_code == 200:
                return
        except httpx.HTTPError:
            pass  # whether it died is what the process says next
        try:
            code = self._process.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            return  # alive: a failing answer is reported where it happens
        died = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
        raise LLMUnavailable(
            f"the embedded llama.cpp server died on its first generation ({died}; log: {self._log_path}): "
            f"its library does not run on this CPU; {reinstall_hint(usable_features())}"
        )

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process)
        self._process = None


class ModelStatus(BaseModel):
    """What the settings view and ``rapporteur status`` show about generation."""

    endpoint: str
    model: str
    embedded: bool
    reachable: bool
    detail: str


class ModelHost:
    """Owns the connection to the configured model, starting the embedded server on first use."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._server: LlamaServer | None = None
        self._chat: OpenAIChat | None = None

    def __enter__(self) -> ModelHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def embedded(self) -> bool:
        return not self._settings.llm.base_url

    def model(self) -> OpenAIChat:
        """The chat model, or :class:`LLMUnavailable` saying why there is none."""
        if self._server is not None and not self._server.running:
            log.warning("the embedded model server (pid %s) has died; starting a fresh one", self._server.pid)
            self.close()
        if self._chat is not None:
            return self._chat
        settings = self._settings
        if not settings.llm.enabled:
            raise LLMUnavailable("generation is switched off (RAPPORTEUR_LLM_ENABLED=false)")
        if settings.llm.base_url:
            self._chat = self._remote(settings.llm.base_url)
            return self._chat
        gguf = self._embedded_gguf()
        server = LlamaServer(gguf, settings.llm.model, settings.llm, settings.llm.model_cache / "logs")
        server.start()
        self._server = server
        self._chat = OpenAIChat(server.base_url, settings.llm.model, settings.llm)
        return self._chat

    def _remote(self, base_url: str) -> OpenAIChat:
        key = self._settings.llm.api_key.get_secret_value() if self._settings.llm.api_key else None
        return OpenAIChat(base_url, self._settings.llm.model, self._settings.llm, api_key=key)

    def _embedded_gguf(self) -> Path:
        if importlib.util.find_spec("llama_cpp") is None:
            raise LLMUnavailable(
                "no model endpoint is set and llama-cpp-python is not installed: "
                "pip install 'llama-cpp-python[server]==0.3.36', or set RAPPORTEUR_LLM_BASE_URL"
            )
        try:
            gguf = resolve_gguf(self._settings.llm.model, self._settings.llm.model_cache)
        except ModelNotInstalled as exc:
            raise LLMUnavailable(str(exc)) from exc
        if blockers := embedded_model_blockers():
            raise LLMUnavailable(f"the embedded model cannot run on this host: {'; '.join(blockers)}")
        return gguf

    def status(self) -> ModelStatus:
        """Reachability without starting anything: the embedded server reports whether it could start."""
        settings = self._settings
        endpoint = settings.llm.base_url or "embedded llama.cpp server (loopback)"
        status = ModelStatus(
            endpoint=endpoint, model=settings.llm.model, embedded=self.embedded, reachable=False, detail=""
        )
        if not settings.llm.enabled:
            status.detail = "generation is switched off (RAPPORTEUR_LLM_ENABLED=false)"
        elif self._chat is not None or settings.llm.base_url:
            chat = self._chat or self._remote(endpoint)
            status.reachable, status.detail = chat.reachable()
            if self._server is not None:
                status.endpoint = f"{self._server.base_url} (embedded, {self._server.gguf.name})"
        else:
            try:
                gguf = self._embedded_gguf()
            except LLMUnavailable as exc:
                status.detail = str(exc)
            else:
                status.reachable = True
                status.detail = f"starts on first use with {gguf}"
        return status

    @property
    def server(self) -> LlamaServer | None:
        """The embedded server this host started, if any (its pid, whether it still runs)."""
        return self._server

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._server = None
        self._chat = None
