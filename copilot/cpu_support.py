"""Whether the installed llama.cpp library can run on this host's CPU, checked before it is started.

A llama.cpp build compiled for another CPU — or with ``-march=native`` on a host that advertises AVX-512
or AMX in cpuid while its OS does not let processes use them (common on cloud VMs) — dies on its first
generation with SIGILL or a general protection fault. So the embedded server is started only after the
instruction-set extensions the library was compiled with (its own system info) are compared with what
this host's kernel grants, and a mismatch becomes a message with the fix instead of a crash.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import logging
import re
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

# The flag set scripts/install.sh compiles with: portable x86-64 with AVX2, nothing host-specific.
PORTABLE_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF "
    "-DGGML_AVX_VNNI=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
)
# For CPUs without AVX2 (slower, but it runs).
BASELINE_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX=OFF -DGGML_AVX2=OFF -DGGML_FMA=OFF -DGGML_F16C=OFF -DGGML_BMI2=OFF "
    "-DGGML_AVX512=OFF -DGGML_AVX_VNNI=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
)

# llama.cpp's system-info feature name -> the /proc/cpuinfo flag the kernel shows when a process may use it.
_CPUINFO_FLAG = {
    "SSE3": "pni",
    "SSSE3": "ssse3",
    "AVX": "avx",
    "AVX2": "avx2",
    "F16C": "f16c",
    "FMA": "fma",
    "BMI2": "bmi2",
    "AVX_VNNI": "avx_vnni",
    "AVX512": "avx512f",
    "AVX512_VBMI": "avx512vbmi",
    "AVX512_VNNI": "avx512_vnni",
    "AVX512_BF16": "avx512_bf16",
    "AMX_INT8": "amx_int8",
}
_ARCH_REQ_XCOMP_PERM = 0x1023
_XFEATURE_XTILEDATA = 18
_SYS_ARCH_PRCTL = 158  # x86-64


def host_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The CPU flags the kernel reports (it hides extensions whose register state it does not enable)."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return set()
    match = re.search(r"^flags\s*:(.*)$", text, re.MULTILINE)
    return set(match.group(1).split()) if match else set()


def amx_granted() -> bool:
    """Whether the OS lets this process use the AMX tile state (cpuid alone does not say so)."""
    if sys.platform != "linux":
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.syscall(_SYS_ARCH_PRCTL, _ARCH_REQ_XCOMP_PERM, _XFEATURE_XTILEDATA) == 0)


def usable_features() -> set[str]:
    """The llama.cpp feature names this host can execute."""
    flags = host_flags()
    usable = {name for name, flag in _CPUINFO_FLAG.items() if flag in flags}
    if "AMX_INT8" in usable and not amx_granted():
        usable.discard("AMX_INT8")
    return usable


def compiled_features(system_info: str) -> set[str]:
    """Feature names switched on in llama.cpp's ``llama_print_system_info()`` text."""
    return {name for name, on in re.findall(r"([A-Z][A-Z0-9_]*)\s*=\s*(\d+)", system_info) if on != "0"}


def llama_library_dir() -> Path | None:
    """Where llama-cpp-python keeps its shared libraries, or None when it is not installed."""
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "lib"


def llama_system_info(timeout: float = 60.0) -> str:
    """The library's own account of what it was compiled with; read in a child process, so that a
    library that cannot even load here does not take this process down."""
    code = "import llama_cpp; print(llama_cpp.llama_print_system_info().decode())"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"llama_cpp does not load (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    return done.stdout


def blockers(compiled: set[str], usable: set[str]) -> list[str]:
    """One reason per compiled extension the host cannot execute."""
    reasons = []
    for name in sorted(compiled & set(_CPUINFO_FLAG)):
        if name not in usable:
            why = "the OS does not grant the AMX tile state" if name == "AMX_INT8" else "this CPU/OS lacks it"
            reasons.append(f"llama.cpp was compiled with {name} but {why}")
    return reasons


def cmake_args_for(usable: set[str]) -> str:
    """The portable flag set a host of this class can run: AVX2 where it has it, else the baseline."""
    return PORTABLE_CMAKE_ARGS if {"AVX2", "FMA", "F16C"} <= usable else BASELINE_CMAKE_ARGS


def reinstall_hint(usable: set[str]) -> str:
    """The command that rebuilds llama-cpp-python for this host's class of CPU."""
    return (
        f'CMAKE_ARGS="{cmake_args_for(usable)}" pip install --force-reinstall --no-cache-dir --no-deps '
        "'llama-cpp-python[server]==0.3.36'"
    )


@functools.cache
def embedded_model_blockers() -> list[str]:
    """Why the installed llama.cpp cannot run here (each with the fix), or [] when it can."""
    if llama_library_dir() is None:
        return []
    try:
        compiled = compiled_features(llama_system_info())
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        return [f"{exc}; reinstall it: {reinstall_hint(usable_features())}"]
    usable = usable_features()
    reasons = blockers(compiled, usable)
    if reasons:
        log.warning("embedded model disabled: %s", "; ".join(reasons))
        return [f"{'; '.join(reasons)}; rebuild it for this host: {reinstall_hint(usable)}"]
    return []


if __name__ == "__main__":  # scripts/install.sh asks which flag set to compile llama.cpp with
    print(cmake_args_for(usable_features()))
