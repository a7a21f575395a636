"""The one settings object, read once (env prefix ``RAPPORTEUR_``) and passed down."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_index() -> Path:
    return Path(user_data_dir("rapporteur")) / "index"


def _default_corpus() -> Path:
    return Path(__file__).resolve().parent.parent / "corpus"


class Settings(BaseSettings):
    """Everything a run may configure; CLI flags override the environment."""

    model_config = SettingsConfigDict(env_prefix="RAPPORTEUR_", extra="ignore")

    index: Path = Field(default_factory=_default_index, description="Index directory (Chroma + SQLite).")
    corpus: Path = Field(default_factory=_default_corpus, description="Library source folder.")
    catalog: Path | None = Field(
        default=None, description="Recommendation catalog (.jsonl or .jsonl.gz); default: <corpus>/catalog."
    )
    chroma_host: str | None = Field(default=None, description="Chroma server host; unset = embedded.")
    chroma_port: int = 8000
    collection: str = "rapporteur_chunks"
    embed_batch: int = 32
    chunk_chars: int = 1800
    max_file_bytes: int = 200 * 1024 * 1024
    max_unzipped_bytes: int = 500 * 1024 * 1024
    itu_base_url: str = "https://www.itu.int"
    fetch_timeout: float = 60.0

    def catalog_path(self) -> Path | None:
        """The catalog file: explicit setting, else the first one found under the corpus folder."""
        if self.catalog is not None:
            return self.catalog
        for name in ("itu-recommendations.jsonl.gz", "itu-recommendations.jsonl"):
            candidate = self.corpus / "catalog" / name
            if candidate.is_file():
                return candidate
        return None
