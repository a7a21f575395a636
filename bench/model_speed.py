"""Generation speed of an embedded llama.cpp build: time to first token and tokens/s of the packaged model.

Compares llama-cpp-python builds on the same machine — the portable one scripts/install.sh makes and,
for instance, a ``-march=native`` build in another virtualenv — by serving the same GGUF with each
interpreter's llama_cpp and asking the same questions:

    python bench/model_speed.py --python .venv/bin/python --python /tmp/native/bin/python --name NAME

Writes ``bench/results/NAME.json`` and prints a table (median over the prompts, after one warm-up).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from copilot.llm import LlamaServer, Message, OpenAIChat
from copilot.packaged_models import resolve_gguf
from rapporteur.settings import Settings

PROMPTS = [
    "Explain in three sentences what an ITU-T Recommendation's Scope clause is for.",
    "What is the difference between a definition in clause 3.1 and one in clause 3.2 of a Recommendation?",
    "Write two requirements for the clock synchronization of active measurement points.",
    "Summarise why abbreviations are listed in clause 4 of a Recommendation.",
]


def measure(python: str, settings: Settings, max_tokens: int) -> dict[str, object]:
    gguf = resolve_gguf(settings.llm.model, settings.llm.model_cache)
    server = LlamaServer(gguf, settings.llm.model, settings.llm, Path(tempfile.mkdtemp()), python=python)
    server.start()
    try:
        chat = OpenAIChat(server.base_url, settings.llm.model, settings.llm)
        chat.generate([Message(role="user", content="Hello.")], max_tokens=8, temperature=0.0).text()
        runs = []
        for prompt in PROMPTS:
            generation = chat.generate(
                [Message(role="user", content=prompt)], max_tokens=max_tokens, temperature=0.0
            )
            generation.text()
            runs.append(generation.stats)
    finally:
        server.stop()
    return {
        "python": python,
        "model": settings.llm.model,
        "first_token_s": statistics.median(r.first_token_s or 0.0 for r in runs),
        "tokens_per_s": statistics.median(r.tokens_per_s for r in runs),
        "tokens": sum(r.tokens for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", help="interpreter with llama-cpp-python (repeatable)")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--name", default="model-speed")
    args = parser.parse_args()
    settings = Settings()
    rows = [measure(python, settings, args.max_tokens) for python in args.python or [sys.executable]]
    out = Path(__file__).with_name("results") / f"{args.name}.json"
    out.parent.mkdir(exist_ok=True)
    payload = {"load_average": os.getloadavg(), "cores": os.cpu_count(), "runs": rows}
    out.write_text(json.dumps(payload, indent=2))
    print(f"{'interpreter':50} {'TTFT s':>8} {'tokens/s':>9}")
    for row in rows:
        print(f"{row['python']!s:50} {row['first_token_s']:8.2f} {row['tokens_per_s']:9.1f}")
    print(f"load average {payload['load_average']}; written to {out}")


if __name__ == "__main__":
    main()
