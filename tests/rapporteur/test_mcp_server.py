"""The MCP server through the ``mcp`` package's own client, over stdio and over streamable HTTP: every tool
answers what the CLI answers on the same index, and what may be read is what the operator allowed."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult

from ingest.models import DocumentSummary
from rapporteur.mcp_server import allowed_draft, document_uri
from rapporteur.processes import LOOPBACK, free_port, stop_process, wait_listening
from rapporteur.settings import Settings
from tests.conftest import in_own_loop, model_server_ports, tiny_model_env

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus" / "samples" / "draft-Y.ML-QA-sample.md"
TOOLS = {"search", "get_clause", "define", "expand", "references", "check_draft", "draft_clause", "ask"}
TOKEN = "test-token-7f3a"
TOPIC = "Functional requirements of edge servers"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> dict[str, str]:
    """An index of Y.3507 and a folder the server may read (holding a draft), as the server's environment
    (no model: ``ask`` and ``draft_clause`` answer without one)."""
    index = tmp_path_factory.mktemp("index")
    roots = tmp_path_factory.mktemp("drafts")
    shutil.copy(SAMPLE, roots / SAMPLE.name)
    env = {
        **os.environ,
        "RAPPORTEUR_INDEX": str(index),
        "RAPPORTEUR_MCP_ROOTS": str(roots),
        "RAPPORTEUR_LLM_ENABLED": "false",
    }
    env.pop("RAPPORTEUR_MCP_TOKEN", None)
    done = cli(env, "ingest", str(corpus_dir / "itu-t" / "Y.3507-201812.docx"))
    assert len(done["added"]) == 1
    return env


def cli(env: dict[str, str], *args: str) -> Any:
    """``rapporteur ARGS --json`` on the same index, parsed."""
    done = subprocess.run(
        [sys.executable, "-m", "rapporteur.cli", *args, "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert done.returncode in (0, 2), done.stderr
    return json.loads(done.stdout)


def structured(result: CallToolResult) -> Any:
    """A tool's structured output; lists come wrapped as ``{"result": [...]}``."""
    assert not result.is_error, result.content
    content = result.structured_content
    assert content is not None
    return content["result"] if set(content) == {"result"} else content


def without(record: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in keys}


async def exercise_every_tool(client: Client, env: dict[str, str]) -> None:
    """List the tools and call each, comparing with the CLI; then a malformed call, and the next call."""
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and tool.input_schema["type"] == "object" and tool.output_schema

    hits = structured(await client.call_tool("search", {"query": "physical machine", "k": 5}))
    assert hits == cli(env, "search", "physical machine", "-k", "5")
    assert hits and set(hits[0]) == {"doc_id", "rec_id", "clause", "heading", "page", "text", "score", "path"}

    clause = structured(await client.call_tool("get_clause", {"rec_id": "Y.3507", "clause": "3.2"}))
    assert clause == cli(env, "show", "Y.3507", "--clause", "3.2")
    assert "physical machine" in clause["text"]

    definitions = structured(await client.call_tool("define", {"term": "physical machine"}))
    assert definitions == cli(env, "terms", "physical machine")
    assert definitions[0]["clause"] == "3.2.1"

    expansions = structured(await client.call_tool("expand", {"abbreviation": "CPU"}))
    assert expansions == cli(env, "abbrev", "CPU")
    assert expansions[0]["expansion"] == "Central Processing Unit"
    abbreviated = structured(await client.call_tool("expand", {"abbreviation": "Central Processing Unit"}))
    assert abbreviated == expansions

    refs = structured(await client.call_tool("references", {"rec_id": "Y.3507"}))
    assert refs == cli(env, "refs", "Y.3507") and any(r["cited_id"] == "ITU-T Y.3500" for r in refs)

    draft = Path(env["RAPPORTEUR_MCP_ROOTS"]) / SAMPLE.name
    report = structured(await client.call_tool("check_draft", {"path": str(draft)}))
    assert report["findings"] == cli(env, "check", str(draft))["findings"] and report["findings"]
    from_text = structured(await client.call_tool("check_draft", {"text": SAMPLE.read_text()}))
    assert from_text["findings"] == report["findings"] and from_text["file"] == "(text)"

    # The reason there is no model is worded by each shell (the CLI's and the servers'); the rest is equal.
    written = structured(await client.call_tool("draft_clause", {"kind": "scope", "topic": TOPIC}))
    expected = cli(env, "draft", "scope", "--topic", TOPIC)
    assert without(written, "stats", "notices") == without(expected, "stats", "notices")
    assert "<Mandatory" in written["text"] and "placeholder" in written["notices"][0]

    answer = structured(await client.call_tool("ask", {"question": "What is a physical machine?"}))
    expected = cli(env, "ask", "What is a physical machine?")
    assert without(answer, "stats", "notice", "answer") == without(expected, "stats", "notice", "answer")
    lead = "The most relevant clauses:"
    assert answer["answer"].split(lead)[1] == expected["answer"].split(lead)[1]
    assert answer["citations"] and "RAPPORTEUR_LLM_ENABLED=false" in answer["notice"]

    malformed = await client.call_tool("search", {"query": "physical machine", "k": "many"})
    assert malformed.is_error
    unknown = await client.call_tool("get_clause", {"rec_id": "Z.999", "clause": "1"})
    assert unknown.is_error and "no document 'Z.999'" in unknown.content[0].text  # type: ignore[union-attr]
    assert structured(await client.call_tool("expand", {"abbreviation": "CPU"})) == expansions


def stdio_server(env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable, args=["-m", "rapporteur.cli", "mcp"], env=env, cwd=str(REPO)
    )


@pytest.mark.server
def test_every_tool_over_stdio_answers_as_the_cli(library: dict[str, str]) -> None:
    async def run() -> None:
        async with Client(stdio_server(library)) as client:
            await exercise_every_tool(client, library)

    in_own_loop(run)


@pytest.mark.server
def test_clauses_are_resources_and_drafting_prompts_are_prompts(library: dict[str, str]) -> None:
    async def run() -> None:
        async with Client(stdio_server(library)) as client:
            docs = (await client.list_resources()).resources
            assert [str(d.uri) for d in docs] == ["itu://ITU-T/Y.3507/2018-12"]
            tree = json.loads((await client.read_resource(docs[0].uri)).contents[0].text)  # type: ignore[union-attr]
            by_number = {c["number"]: c["uri"] for c in tree["clauses"]}
            assert by_number["3.2"] == "itu://ITU-T/Y.3507/2018-12/3.2"
            assert by_number["Appendix I"] == "itu://ITU-T/Y.3507/2018-12/Appendix%20I"
            clause = (await client.read_resource(by_number["3.2"])).contents[0]
            assert json.loads(clause.text) == cli(library, "show", "Y.3507", "--clause", "3.2")  # type: ignore[union-attr]

            prompts = {p.name for p in (await client.list_prompts()).prompts}
            assert prompts == {"draft_scope", "draft_summary", "draft_requirements", "draft_terms"}
            messages = (await client.get_prompt("draft_scope", {"topic": TOPIC})).messages
            assert "Scope" in messages[0].content.text  # type: ignore[union-attr]
            assert messages[-1].role == "user" and messages[-1].content.text == f"Topic: {TOPIC}"  # type: ignore[union-attr]
            assert any(m.role == "assistant" for m in messages), "worked examples from the library"

    in_own_loop(run)


@pytest.mark.server
def test_check_draft_reads_only_under_the_allowed_roots(library: dict[str, str], tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("# Not yours\n\n1 Scope\n\nPrivate.\n")
    link = Path(library["RAPPORTEUR_MCP_ROOTS"]) / "link.md"
    link.symlink_to(outside)

    async def run() -> None:
        async with Client(stdio_server(library)) as client:
            for path in (outside, link, Path(library["RAPPORTEUR_MCP_ROOTS"]) / ".." / outside.name):
                refused = await client.call_tool("check_draft", {"path": str(path)})
                assert refused.is_error and "outside the directories" in refused.content[0].text  # type: ignore[union-attr]
            both = await client.call_tool("check_draft", {"path": str(outside), "text": "x"})
            assert both.is_error and "either path or text" in both.content[0].text  # type: ignore[union-attr]
            assert not (await client.call_tool("expand", {"abbreviation": "CPU"})).is_error

    in_own_loop(run)


@pytest.mark.server
@pytest.mark.model
def test_ask_over_stdio_with_a_real_model_cites_its_sources(
    library: dict[str, str], tiny_model_settings: Settings
) -> None:
    """With a model the answer is generated (the llama.cpp server logs to its file, never into the
    protocol's stdout), its citations are among its sources, and the model server stops with the MCP one."""
    env = {**tiny_model_env(tiny_model_settings), "RAPPORTEUR_INDEX": library["RAPPORTEUR_INDEX"]}

    async def run() -> set[int]:
        async with Client(stdio_server(env)) as client:
            answer = structured(await client.call_tool("ask", {"question": "What is a physical machine?"}))
            assert answer["model"] and answer["stats"]["tokens"] > 0 and answer["answer"].strip()
            assert all(c in answer["sources"] for c in answer["citations"])
            ports = {port for pid in mcp_children() for port in model_server_ports(parent=pid)}
            assert ports, "the MCP server should have started a model server"
            assert structured(await client.call_tool("expand", {"abbreviation": "CPU"}))
            return ports

    started = in_own_loop(run)
    deadline = time.monotonic() + 30
    while started & model_server_ports() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not started & model_server_ports()


def mcp_children() -> list[int]:
    """This test process's ``rapporteur mcp`` children (other jobs on the machine run their own)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            args = (proc / "cmdline").read_bytes().split(b"\0")
            if ppid == os.getpid() and b"rapporteur.cli" in args and b"mcp" in args:
                found.append(int(proc.name))
    return found


@pytest.fixture(scope="module")
def http_server(library: dict[str, str]) -> Iterator[str]:
    """``rapporteur mcp --http`` on a free loopback port, guarded by a token; yields the endpoint URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rapporteur.cli", "mcp", "--http", "--port", str(port)],
        env={**library, "RAPPORTEUR_MCP_TOKEN": TOKEN},
        cwd=REPO,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_listening(process, port)
        yield f"http://{LOOPBACK}:{port}/mcp"
    finally:
        stop_process(process)


def post_status(url: str, headers: dict[str, str]) -> int:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
            **headers,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.server
def test_http_refuses_requests_without_the_token(http_server: str) -> None:
    assert post_status(http_server, {}) == 401
    assert post_status(http_server, {"Authorization": "Bearer wrong"}) == 401
    assert post_status(http_server, {"Authorization": TOKEN}) == 401


@pytest.mark.server
def test_every_tool_over_http_answers_as_the_cli(http_server: str, library: dict[str, str]) -> None:
    async def run() -> None:
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
        async with http, Client(streamable_http_client(http_server, http_client=http)) as client:
            await exercise_every_tool(client, library)

    in_own_loop(run)


def test_http_off_loopback_without_a_token_is_refused(library: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rapporteur.cli", "mcp", "--http", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        env=library,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1 and "without a token" in done.stderr


def test_allowed_draft_resolves_symlinks_and_limits_size(tmp_path: Path) -> None:
    roots, elsewhere = tmp_path / "drafts", tmp_path / "elsewhere"
    roots.mkdir()
    elsewhere.mkdir()
    inside = roots / "draft.md"
    inside.write_text("# Draft\n")
    (roots / "escape.md").symlink_to(elsewhere / "x.md")
    (elsewhere / "x.md").write_text("secret")
    settings = Settings(index=tmp_path / "ix", mcp={"roots": [roots]}, ui={"max_upload_bytes": 4})

    with pytest.raises(ToolError, match="over the upload limit"):
        allowed_draft(str(inside), settings)
    assert allowed_draft(str(inside), settings.updated(ui={"max_upload_bytes": 100})) == inside
    with pytest.raises(ToolError, match="outside the directories"):
        allowed_draft(str(roots / "escape.md"), settings)
    with pytest.raises(ToolError, match="absolute path"):
        allowed_draft("draft.md", settings)
    with pytest.raises(ToolError, match="RAPPORTEUR_MCP_ROOTS is empty"):
        allowed_draft(str(inside), settings.updated(mcp={"roots": []}))


def test_mcp_roots_read_from_the_environment_as_a_path_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORTEUR_MCP_ROOTS", os.pathsep.join(["/srv/drafts", "/home/r/drafts"]))
    assert Settings().mcp.roots == [Path("/srv/drafts"), Path("/home/r/drafts")]


def test_a_document_without_an_identifier_is_addressed_by_doc_id() -> None:
    doc = DocumentSummary(
        doc_id="draft y.ml", rec_id=None, title=None, edition=None, kind="draft", language="en",
        path="/x/draft y.ml.md", chunks=3,
    )  # fmt: skip
    assert document_uri(doc) == "itu://doc/draft%20y.ml/-"
