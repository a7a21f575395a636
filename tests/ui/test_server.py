"""``rapporteur serve``: loopback by default, no share link unless asked, login when users are set, and
the upload limit enforced by the server itself."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client
from playwright.sync_api import expect

from rapporteur.cli import build_parser, main
from rapporteur.processes import free_port
from rapporteur.settings import Settings
from tests.conftest import model_server_ports, tiny_model_env
from tests.ui.conftest import REPO, PageFactory
from ui.server import RunningServer, ServeError, auth_pairs, check_exposure, is_loopback, start


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP socket listens on at ``port``, read from the kernel's table."""
    table = Path("/proc/net/tcp")
    if not table.is_file():
        pytest.skip("no /proc/net/tcp on this system")
    found = set()
    for line in table.read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_serve_defaults_to_loopback_and_no_share_link() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.share, args.insecure) == ("127.0.0.1", 7860, False, False)
    assert Settings().ui.share is False


def test_the_server_listens_on_loopback_only(ui_server: RunningServer) -> None:
    assert ui_server.url.startswith("http://127.0.0.1:")
    assert ui_server.share_url is None
    port = int(ui_server.url.rstrip("/").rsplit(":", 1)[1])
    assert listening_addresses(port) == {"127.0.0.1"}


def test_login_pairs_are_parsed_and_a_bad_entry_is_named() -> None:
    settings = Settings(ui={"users": ["alice:s3cret:with:colons", " bob :pw"]})
    assert auth_pairs(settings) == [("alice", "s3cret:with:colons"), ("bob", "pw")]
    with pytest.raises(ServeError, match="entry 'carol' is not 'user:password'"):
        auth_pairs(Settings(ui={"users": ["carol"]}))
    with pytest.raises(ServeError, match="entry 'dave' is not"):
        auth_pairs(Settings(ui={"users": ["dave:"]}))


def test_serve_refuses_to_start_with_a_bad_login_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAPPORTEUR_UI_USERS", '["no-password-here"]')
    assert main(["serve", "--index", str(tmp_path / "index"), "--port", str(free_port())]) == 1
    assert "RAPPORTEUR_UI_USERS entry 'no-password-here' is not 'user:password'" in capsys.readouterr().err


@pytest.mark.parametrize("flags", [["--host", "0.0.0.0"], ["--share"]])
def test_serve_refuses_an_open_bind_without_a_login(
    flags: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    assert main(["serve", "--index", str(tmp_path / "index"), "--port", str(port), *flags]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("rapporteur: refusing to serve on ")
    assert "set RAPPORTEUR_UI_USERS" in err and "--insecure" in err
    assert len(err.splitlines()) == 1
    assert listening_addresses(port) == set()
    assert not (tmp_path / "index").exists()


def test_an_open_bind_is_allowed_with_a_login_or_insecure(capsys: pytest.CaptureFixture[str]) -> None:
    check_exposure(Settings(ui={"users": ["alice:s3cret"]}), "0.0.0.0", share=False, insecure=False)
    assert capsys.readouterr().err == ""
    check_exposure(Settings(), "0.0.0.0", share=False, insecure=True)
    assert "without a login (--insecure)" in capsys.readouterr().err
    check_exposure(Settings(), "127.0.0.1", share=False, insecure=False)
    assert capsys.readouterr().err == ""
    with pytest.raises(ServeError, match="refusing to serve on 192.0.2.7 without a login"):
        check_exposure(Settings(), "192.0.2.7", share=False, insecure=False)


@pytest.mark.parametrize(
    ("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False)]
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.fixture(scope="module")
def guarded_server(ui_settings: Settings) -> Iterator[RunningServer]:
    """The workspace behind a login, with a 2 kB upload limit."""
    settings = ui_settings.updated(ui={"users": ["alice:s3cret"], "max_upload_bytes": 2048})
    running = start(settings, port=free_port())
    yield running
    running.close()


def test_a_login_is_required_when_users_are_set(guarded_server: RunningServer) -> None:
    with httpx.Client(base_url=guarded_server.url, timeout=30) as client:
        assert client.get("config").status_code == 401
        wrong = client.post("login", data={"username": "alice", "password": "guess"})
        assert wrong.status_code == 400
        assert client.get("config").status_code == 401
        right = client.post("login", data={"username": "alice", "password": "s3cret"})
        assert right.status_code == 200
        assert client.get("config").status_code == 200


def test_the_browser_signs_in_before_it_sees_the_workspace(
    guarded_server: RunningServer, new_page: PageFactory
) -> None:
    page = new_page(guarded_server.url, wait_for="input[type=password]")
    expect(page.locator("#question")).to_have_count(0)
    page.get_by_label("username").fill("alice")
    page.get_by_label("password").fill("s3cret")
    page.get_by_role("button", name="Login").click()
    expect(page.locator("#question textarea")).to_be_visible()


def test_the_server_refuses_uploads_over_the_limit(guarded_server: RunningServer) -> None:
    with httpx.Client(base_url=guarded_server.url, timeout=30) as client:
        client.post("login", data={"username": "alice", "password": "s3cret"}).raise_for_status()
        small = client.post("gradio_api/upload", files={"files": ("small.md", b"# 1 Scope\n" * 10)})
        assert small.status_code == 200
        big = client.post("gradio_api/upload", files={"files": ("big.md", b"x" * 4096)})
        assert big.status_code == 413


def test_serve_stops_its_model_server_when_terminated(
    tiny_model_settings: Settings, ui_index: Path, tmp_path: Path
) -> None:
    """SIGTERM (a service manager's stop) ends ``rapporteur serve`` and the llama.cpp server it started."""
    port = free_port()
    env = tiny_model_env(tiny_model_settings)
    command = [sys.executable, "-m", "rapporteur.cli", "serve", "--index", str(ui_index), "--port", str(port)]
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}config", timeout=2).status_code == 200:
                    break
            time.sleep(0.5)
        Client(url, verbose=False).predict("What is a physical machine?", [], "any", False, api_name="/ask")
        (model_port,) = model_server_ports(parent=server.pid)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        assert model_port not in model_server_ports()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
