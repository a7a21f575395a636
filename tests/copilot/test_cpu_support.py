"""The installed llama.cpp library runs on this host: checked by its own system info and, independently,
by disassembling it; and the check itself names what a host-specific build would trip on."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from copilot.cpu_support import (
    BASELINE_CMAKE_ARGS,
    PORTABLE_CMAKE_ARGS,
    blockers,
    compiled_features,
    embedded_model_blockers,
    host_flags,
    llama_library_dir,
    llama_system_info,
    reinstall_hint,
    usable_features,
)

NATIVE_SAPPHIRE_RAPIDS = (
    "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | AVX512 = 1 | "
    "AVX512_VBMI = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 1 | AMX_INT8 = 1 | LLAMAFILE = 1 | OPENMP = 1 | "
    "REPACK = 1 | "
)
AVX2_HOST = {"SSE3", "SSSE3", "AVX", "AVX2", "F16C", "FMA", "BMI2"}

# AMX tile instructions, and any use of the 512-bit or 256-bit vector registers, in objdump's syntax.
AMX = re.compile(r"\b(ldtilecfg|sttilecfg|tileloadd|tileloaddt1|tilestored|tilezero|tilerelease|tdp\w+)\b")
ZMM = re.compile(r"%zmm\d")
YMM = re.compile(r"%ymm\d")


def test_a_native_build_from_an_amx_host_is_refused_on_a_host_without_it() -> None:
    reasons = blockers(compiled_features(NATIVE_SAPPHIRE_RAPIDS), AVX2_HOST)
    assert "llama.cpp was compiled with AMX_INT8 but the OS does not grant the AMX tile state" in reasons
    assert "llama.cpp was compiled with AVX512 but this CPU/OS lacks it" in reasons
    assert not any(name in " ".join(reasons) for name in ("LLAMAFILE", "OPENMP", "REPACK"))


def test_a_portable_build_has_no_blockers_on_an_avx2_host() -> None:
    portable = "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | AVX512 = 0"
    assert blockers(compiled_features(portable), AVX2_HOST) == []
    assert blockers(compiled_features(portable), {"SSE3", "SSSE3"}) == [
        f"llama.cpp was compiled with {name} but this CPU/OS lacks it"
        for name in ("AVX", "AVX2", "BMI2", "F16C", "FMA")
    ]


def test_the_fix_matches_the_host_class() -> None:
    assert PORTABLE_CMAKE_ARGS in reinstall_hint(AVX2_HOST)
    assert BASELINE_CMAKE_ARGS in reinstall_hint({"SSE3", "SSSE3", "AVX"})
    assert "-DGGML_NATIVE=OFF" in PORTABLE_CMAKE_ARGS and "AMX_INT8=OFF" in PORTABLE_CMAKE_ARGS


def test_host_flags_come_from_the_kernels_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse pni avx avx2 amx_tile\nbugs\t\t: spectre\n")
    assert host_flags(cpuinfo) == {"fpu", "sse", "pni", "avx", "avx2", "amx_tile"}
    assert host_flags(tmp_path / "missing") == set()


def _installed_library() -> Path:
    lib = llama_library_dir()
    if lib is None:
        pytest.skip("llama-cpp-python is not installed (scripts/install.sh installs it)")
    return lib


def test_the_installed_llama_cpp_runs_on_this_host() -> None:
    _installed_library()
    assert embedded_model_blockers() == []


def test_the_installed_llama_cpp_contains_no_host_specific_instruction() -> None:
    """Independent of the library's own account: disassemble it and look for AMX tile instructions and
    512-bit registers. Neither may be there whatever this host allows: a cloud VM can grant the AMX
    state (arch_prctl succeeds) and still fault on ggml's ldtilecfg, as a -march=native build did here
    (general protection fault in libggml-cpu.so); and 256-bit ones only where the host has AVX."""
    if shutil.which("objdump") is None:
        pytest.skip("objdump (binutils) is not installed")
    libraries = sorted({path.resolve() for path in _installed_library().glob("lib*.so*")})
    assert libraries, "no llama.cpp shared libraries found"
    forbidden = [("AMX tile", AMX), ("AVX-512 (zmm)", ZMM)]
    if "AVX" not in usable_features():
        forbidden.append(("AVX (ymm)", YMM))
    found: dict[str, list[str]] = {}
    for library in libraries:
        with subprocess.Popen(
            ["objdump", "-d", "--no-show-raw-insn", str(library)], stdout=subprocess.PIPE, text=True
        ) as dump:
            assert dump.stdout is not None
            for line in dump.stdout:
                for name, pattern in forbidden:
                    if pattern.search(line):
                        found.setdefault(f"{library.name}: {name}", []).append(line.strip())
    assert not found, {where: lines[:3] for where, lines in found.items()}


def test_the_installed_build_is_the_portable_one_not_the_hosts() -> None:
    """A -march=native build on an AVX-512 or AMX machine carries those; the portable one never does."""
    _installed_library()
    features = compiled_features(llama_system_info())
    assert {"AVX2", "FMA", "F16C"} <= features
    assert not features & {"AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16", "AMX_INT8"}
