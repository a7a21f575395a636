"""The one settings object, read once (env prefix ``RAPPORTEUR_``) and passed down."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from platformdirs import user_cache_dir, user_data_dir
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _default_index() -> Path:
    return Path(user_data_dir("rapporteur")) / "index"


def _default_model_cache() -> Path:
    return Path(user_cache_dir("rapporteur")) / "models"


def _machine_default_model() -> str:
    """Decided by copilot.packaged_models from this machine's cores, memory and installed models."""
    from copilot.packaged_models import machine_default_model

    return machine_default_model()


def _default_corpus() -> Path:
    """Beside the default index, never inside the installed package (``fetch`` writes here)."""
    return Path(user_data_dir("rapporteur")) / "corpus"


class _Part(BaseModel):
    """A part of the settings: unknown keys are refused, never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class IngestSettings(_Part):
    """How files become chunks and vectors (``RAPPORTEUR_INGEST_*``)."""

    chunk_chars: int = 1800
    embed_batch: int = 32
    parse_workers: int = Field(
        default_factory=lambda: min(4, os.cpu_count() or 1),
        ge=1,
        description="Processes that parse files ahead of the embedder when 8+ files are ingested; 1 = none.",
    )
    max_file_bytes: int = 200 * 1024 * 1024
    max_unzipped_bytes: int = 500 * 1024 * 1024
    dense_windows: bool = Field(
        default=False,
        description="Also embed the later windows of clauses longer than the embedder sees, and let dense "
        "search score a clause by its best window (off: on the dev split it did not help, eval/retrieval).",
    )


class ChromaSettings(_Part):
    """Where the vectors live (``RAPPORTEUR_CHROMA_*``): embedded beside the index, or a Chroma server."""

    host: str | None = Field(default=None, description="Chroma server host; unset = embedded.")
    port: int = 8000
    collection: str = "rapporteur_chunks"


class FetchSettings(_Part):
    """`fetch` (``RAPPORTEUR_FETCH_*``): where it downloads from and how long it waits."""

    base_url: str = "https://www.itu.int"
    timeout: float = Field(default=60.0, description="`fetch`: seconds to wait for each read.")
    deadline: float = Field(
        default=600.0, gt=0, description="`fetch`: seconds one document may take in all, redirects included."
    )


class LLMSettings(_Part):
    """The language model (``RAPPORTEUR_LLM_*``): any OpenAI-compatible endpoint, or the embedded one."""

    enabled: bool = Field(default=True, description="False: never call a model (retrieval and checks only).")
    base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp); unset = the embedded "
        "llama.cpp server that Rapporteur starts on loopback.",
    )
    api_key: SecretStr | None = Field(default=None, description="API key for base_url, if it needs one.")
    model: str = Field(
        default_factory=_machine_default_model,
        description="Model name at the endpoint; embedded: a packaged model name or a GGUF path "
        "(default: qwen2.5-coder-1.5b where installed on 4+ cores with 6+ GiB available, "
        "else qwen2.5-coder-0.5b).",
    )
    timeout: float = Field(default=120.0, description="Seconds to wait for the endpoint's next answer.")
    retries: int = Field(default=2, description="Retries on connection errors and 5xx/429 answers.")
    max_tokens: int = 384
    temperature: float = 0.1
    threads: int | None = Field(default=None, description="Embedded server threads (default: all cores).")
    context: int = Field(default=4096, description="Embedded server context window, in tokens.")
    start_timeout: float = Field(default=180.0, description="Seconds to wait for the embedded server.")
    model_cache: Path = Field(
        default_factory=_default_model_cache, description="Where packaged GGUFs are assembled."
    )


class AnswerSettings(_Part):
    """What an answer is built from (``RAPPORTEUR_ANSWER_*``)."""

    sources: int = Field(default=3, description="Retrieved clauses given to the model per answer.")
    source_chars: int = Field(default=700, description="Characters of each clause given to the model.")
    min_relevance: float = Field(
        default=0.6,
        description="Share of the question's words a clause must contain to be used as a source; "
        "closeness in meaning above meaning_floor counts towards it.",
    )
    meaning_floor: float = Field(
        default=0.5,
        description="Cosine (question to clause, by the index's embedder) above which the excess is added "
        "to a clause's share of the question's words.",
    )


class UISettings(_Part):
    """`serve`, the browser workspace (``RAPPORTEUR_UI_*``)."""

    users: list[str] = Field(
        default_factory=list,
        description='`serve` logins as "user:password" entries (JSON list in the environment); empty = none.',
    )
    share: bool = Field(
        default=False, description="`serve`: also open a public share link (off unless asked)."
    )
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, description="Largest file a browser may upload.")
    concurrency: int = Field(default=4, description="`serve`: requests worked on at once; the rest queue.")
    model_concurrency: int = Field(
        default=1, description="`serve`: model generations at once; the rest queue."
    )
    queue_size: int = Field(
        default=64, description="`serve`: waiting requests beyond which new ones are refused."
    )
    folders: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        description="`serve`: server folders the Library view may ingest (os.pathsep-separated); "
        "empty = none, uploads only.",
    )
    hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="`serve`: host names the workspace answers to besides loopback and the bound address "
        "(comma-separated; `*.example.org` for a domain), e.g. its public name behind a reverse proxy.",
    )
    login_attempts: int = Field(
        default=5, ge=1, description="`serve`: failed sign-ins per user or address before a lockout."
    )
    login_window: float = Field(
        default=900.0, gt=0, description="`serve`: seconds a failed sign-in counts against the lockout."
    )

    @field_validator("folders", mode="before")
    @classmethod
    def _split_folders(cls, value: object) -> object:
        return _split_paths(value)

    @field_validator("hosts", mode="before")
    @classmethod
    def _split_names(cls, value: object) -> object:
        """A comma-separated string of names (``a.example.org, b.example.org``)."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class MCPSettings(_Part):
    """`mcp`, the Model Context Protocol server (``RAPPORTEUR_MCP_*``)."""

    token: SecretStr | None = Field(
        default=None,
        description="`mcp --http`: the bearer token every request must carry; required off loopback.",
    )
    roots: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        description="`mcp`: directories whose files `check_draft` may read (os.pathsep-separated); "
        "empty = none, drafts are sent as text.",
    )

    @field_validator("roots", mode="before")
    @classmethod
    def _split_roots(cls, value: object) -> object:
        return _split_paths(value)


def _split_paths(value: object) -> object:
    """A PATH-like string (``/a:/b``), as operators write directory lists in the environment."""
    if isinstance(value, str):
        return [part for part in value.split(os.pathsep) if part.strip()]
    return value


class Settings(BaseSettings):
    """Everything a run may configure, in parts that components take one at a time; CLI flags override
    the environment. ``RAPPORTEUR_LLM_MODEL`` sets ``llm.model``: the first word after the prefix names
    the part."""

    model_config = SettingsConfigDict(
        env_prefix="RAPPORTEUR_", env_nested_delimiter="_", env_nested_max_split=1, extra="forbid"
    )

    index: Path = Field(default_factory=_default_index, description="Index directory (Chroma + SQLite).")
    corpus: Path = Field(default_factory=_default_corpus, description="Library source folder.")
    catalog: Path | None = Field(
        default=None, description="Recommendation catalog (.jsonl or .jsonl.gz); default: <corpus>/catalog."
    )
    docx_template: Path | None = Field(
        default=None, description="A .docx to take export styles from (e.g. ITUT-Recs-Skelet.docx)."
    )
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    ui: UISettings = Field(default_factory=UISettings)
    mcp: MCPSettings = Field(default_factory=MCPSettings)

    def updated(self, **changes: Any) -> Settings:
        """A copy with some fields changed: top-level ones by value, a part's by a dict of its fields
        (``settings.updated(index=p, llm={"enabled": False})``); the part's other fields stay, and the
        changed part is validated."""
        data: dict[str, Any] = {}
        for name, value in changes.items():
            current = getattr(self, name)
            if isinstance(current, _Part) and isinstance(value, dict):
                value = type(current).model_validate({**current.model_dump(), **value})
            data[name] = value
        return self.model_copy(update=data)

    def catalog_path(self) -> Path | None:
        """The catalog file: explicit setting, else the first one found under the corpus folder."""
        if self.catalog is not None:
            return self.catalog
        for name in ("itu-recommendations.jsonl.gz", "itu-recommendations.jsonl"):
            candidate = self.corpus / "catalog" / name
            if candidate.is_file():
                return candidate
        return None
