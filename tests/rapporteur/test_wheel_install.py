"""The built wheel is a working product: installed into a fresh venv, every command runs from another
folder on the resources the wheel carries (prompts, the ITU-T skeleton), not on the checkout.

The fresh venv sees the project venv's site-packages through a ``.pth`` line, so that the dependencies
are not downloaded again; such a line adds the folder without running its ``.pth`` files, so the
checkout's editable install stays out and the wheel is what gets imported (asserted).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from rapporteur.settings import Settings
from tests.conftest import tiny_model_env

REPO = Path(__file__).resolve().parents[2]
SOURCES = (
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "rapporteur",
    "ingest",
    "copilot",
    "ui",
    "eval",
    "prompts",
)
IGNORED = shutil.ignore_patterns("__pycache__", "*.egg-info", "results", "screenshots")


class InstalledWheel:
    """A fresh venv with the wheel installed, and a working folder outside the checkout."""

    def __init__(self, root: Path, corpus: Path) -> None:
        self.root = root
        self.bin = root / "venv" / "bin"
        self.work = root / "work"
        self.work.mkdir()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("RAPPORTEUR_", "PYTHON"))},
            "RAPPORTEUR_INDEX": str(root / "index"),
            "RAPPORTEUR_CORPUS": str(corpus),
            "RAPPORTEUR_LLM_MODEL_CACHE": str(root / "models"),
            "RAPPORTEUR_LLM_ENABLED": "false",
        }

    def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.bin / "rapporteur"), *args],
            capture_output=True, text=True, cwd=self.work, env=env or self.env, timeout=300,
        )  # fmt: skip
        assert "Traceback" not in done.stderr, f"rapporteur {args}:\n{done.stderr}"
        return done

    def json(self, *args: str) -> object:
        done = self.run(*args, "--json")
        assert done.returncode in (0, 2), f"rapporteur {args} exited {done.returncode}:\n{done.stderr}"
        return json.loads(done.stdout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, synthetic_corpus: Path) -> InstalledWheel:
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=IGNORED)
        else:
            shutil.copy2(path, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(root / "dist"), str(source)]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    (wheel,) = (root / "dist").glob("rapporteur-*.whl")
    venv.EnvBuilder(with_pip=False).create(root / "venv")
    target = root / "venv" / "bin" / "python"
    install = [*pip, "--python", str(target), "install", "--no-deps", "--no-index", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=300)
    site = subprocess.run(
        [str(target), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return InstalledWheel(root, synthetic_corpus)


def test_the_wheel_is_what_gets_imported(installed: InstalledWheel) -> None:
    code = (
        "import copilot, prompts, rapporteur; print(rapporteur.__file__, prompts.__file__, copilot.__file__)"
    )
    done = subprocess.run(
        [str(installed.bin / "python"), "-c", code],
        capture_output=True, text=True, cwd=installed.work, env=installed.env, check=True,
    )  # fmt: skip
    for module_file in done.stdout.split():
        assert Path(module_file).is_relative_to(installed.root / "venv"), module_file


def test_ingest_search_ask_draft_and_check_run_from_another_folder(
    installed: InstalledWheel, synthetic_corpus: Path
) -> None:
    ingest = installed.json("ingest", str(synthetic_corpus))
    assert isinstance(ingest, dict) and not ingest["failed"] and len(ingest["added"]) >= 5

    hits = installed.json("search", "what is a widget hub?", "-k", "3")
    assert isinstance(hits, list) and hits and hits[0]["rec_id"].endswith("Y.9901")

    answer = installed.json("ask", "What is a widget hub?")
    assert isinstance(answer, dict) and answer["citations"] and "widget hub" in answer["answer"]

    scope = installed.json("draft", "scope", "--topic", "Requirements of widget gateways")
    assert isinstance(scope, dict) and scope["kind"] == "scope" and "<" in scope["text"]
    skeleton = installed.work / "skeleton.docx"
    done = installed.run("draft", "skeleton", "--topic", "Widget gateways", "--docx", str(skeleton))
    assert done.returncode == 0 and "Scope" in done.stdout and skeleton.stat().st_size > 0

    report = installed.json("check", str(synthetic_corpus / "Y.9901-202403.md"))
    assert isinstance(report, dict) and report["file"].endswith("Y.9901-202403.md") and "summary" in report

    doctor = installed.run("doctor", "--no-generate", "--json")
    checks = {c["name"]: c["status"] for c in json.loads(doctor.stdout)["checks"]}
    assert checks["index"] == "ok" and checks["tokenizer"] == checks["embedder"] == "ok"
    assert [p.name for p in installed.work.iterdir()] == [skeleton.name]  # nothing unasked is written here


@pytest.mark.model
def test_the_installed_wheel_answers_with_the_embedded_model(
    installed: InstalledWheel, tiny_model_settings: Settings, synthetic_corpus: Path
) -> None:
    if not (installed.root / "index").is_dir():
        assert installed.run("ingest", str(synthetic_corpus)).returncode == 0
    env = {**installed.env, **{k: v for k, v in tiny_model_env(tiny_model_settings).items() if "LLM" in k}}
    env.update(RAPPORTEUR_LLM_MAX_TOKENS="24", RAPPORTEUR_LLM_CONTEXT="2048")  # the plumbing, not the prose
    done = installed.run("ask", "What is a widget hub?", "--json", env=env)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["model"] == "smollm2-135m" and answer["prompt"].startswith("answer@v")
    assert answer["stats"]["tokens"] > 0
