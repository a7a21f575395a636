"""The workspace's front door: only served host names are answered (no DNS rebinding), every response
forbids remote images, and failed sign-ins are rate-limited per address and per user."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from rapporteur.processes import free_port
from rapporteur.settings import Settings
from tests.conftest import in_own_loop
from tests.ui.conftest import REBOUND_HOST, PageFactory
from ui.guard import CONTENT_SECURITY_POLICY, HostAllowList, LoginThrottle, host_name, login_user
from ui.server import RunningServer, start


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:7860", "127.0.0.1"),
        ("LocalHost:80", "localhost"),
        ("[::1]:7860", "::1"),
        ("rapporteur.example.org.", "rapporteur.example.org"),
        ("", ""),
    ],
)
def test_host_name_drops_port_brackets_case_and_final_dot(header: str, name: str) -> None:
    assert host_name(header) == name


def test_served_hosts_are_loopback_the_bound_address_and_the_operators_names() -> None:
    hosts = HostAllowList.served("10.0.0.5", ["rapporteur.example.org", "*.team.example"])
    for allowed in ("localhost:7860", "127.0.0.1:7860", "[::1]:7860", "10.0.0.5:7860",
                    "rapporteur.example.org", "a.team.example:443"):  # fmt: skip
        assert hosts.allows(allowed), allowed
    for refused in (
        "evil.example:7860",
        "team.example",
        "10.0.0.6",
        "rapporteur.example.org.evil.example",
        "",
    ):
        assert not hosts.allows(refused), refused
    wildcard = HostAllowList.served("0.0.0.0", [])
    assert not wildcard.allows("0.0.0.0:7860")
    assert HostAllowList.served("127.0.0.1", [], share=True).allows("abc123.gradio.live")


def test_a_lockout_follows_too_many_failures_and_ends_with_the_window() -> None:
    now = [1000.0]
    throttle = LoginThrottle(limit=3, window=60, clock=lambda: now[0])
    keys = ["address 10.0.0.9", "user alice"]
    for _ in range(2):
        throttle.failed(keys)
    assert throttle.retry_after(keys) == 0
    throttle.failed(keys)
    assert throttle.retry_after(keys) == 60
    assert throttle.retry_after(["user alice"]) == 60  # the user, from any address
    assert throttle.retry_after(["address 10.0.0.9", "user bob"]) == 60  # any user, from that address
    assert throttle.retry_after(["address 10.0.0.10", "user bob"]) == 0
    now[0] += 59
    assert throttle.retry_after(keys) == pytest.approx(1)
    now[0] += 1
    assert throttle.retry_after(keys) == 0


def test_a_success_clears_the_count() -> None:
    throttle = LoginThrottle(limit=2, window=60)
    throttle.failed(["user alice"])
    throttle.succeeded(["user alice"])
    throttle.failed(["user alice"])
    assert throttle.retry_after(["user alice"]) == 0


def test_requests_naming_another_host_are_refused(ui_server: RunningServer) -> None:
    """DNS rebinding: a page of evil.example whose name now resolves to loopback must get nothing."""
    port = ui_server.url.rstrip("/").rsplit(":", 1)[1]
    with httpx.Client(base_url=ui_server.url, timeout=30) as client:
        refused = client.get("config", headers={"Host": f"evil.example:{port}"})
        assert refused.status_code == 421
        assert "RAPPORTEUR_UI_HOSTS" in refused.text
        posted = client.post(
            "gradio_api/call/ingest", json={"data": [[], "/etc"]}, headers={"Host": f"evil.example:{port}"}
        )
        assert posted.status_code == 421
        for served in (f"127.0.0.1:{port}", f"localhost:{port}"):
            assert client.get("config", headers={"Host": served}).status_code == 200


def test_every_page_forbids_remote_images(ui_server: RunningServer) -> None:
    page = httpx.get(ui_server.url, timeout=30)
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_the_browser_gets_nothing_through_a_rebound_name(
    ui_server: RunningServer, new_page: PageFactory
) -> None:
    port = ui_server.url.rstrip("/").rsplit(":", 1)[1]
    page = new_page(f"http://{REBOUND_HOST}:{port}/", wait_for="body")
    expect(page.locator("body")).to_contain_text("does not answer to the host 'evil.example'")
    expect(page.locator("#question")).to_have_count(0)
    served = new_page(f"http://localhost:{port}/")
    expect(served.locator("#question textarea")).to_be_visible()


@pytest.fixture
def throttled_server(ui_settings: Settings) -> Iterator[RunningServer]:
    """The workspace behind a login that locks out after 3 failed sign-ins."""
    settings = ui_settings.updated(ui={"users": ["alice:s3cret", "bob:hunter2"], "login_attempts": 3})
    running = start(settings, port=free_port())
    yield running
    running.close()


@pytest.mark.server
def test_failed_sign_ins_lock_out_the_user_and_the_address(throttled_server: RunningServer) -> None:
    with httpx.Client(base_url=throttled_server.url, timeout=30) as client:
        for _ in range(3):
            wrong = client.post("login", data={"username": "alice", "password": "guess"})
            assert wrong.status_code == 400
        locked = client.post("login", data={"username": "alice", "password": "s3cret"})
        assert locked.status_code == 429
        assert "Too many failed sign-ins" in locked.json()["detail"]
        assert int(locked.headers["retry-after"]) > 0
        other_user = client.post("login", data={"username": "bob", "password": "hunter2"})
        assert other_user.status_code == 429  # the same address
        assert client.get("config").status_code == 401


@pytest.mark.server
def test_a_good_sign_in_before_the_limit_resets_the_count(throttled_server: RunningServer) -> None:
    with httpx.Client(base_url=throttled_server.url, timeout=30) as client:
        for _ in range(2):
            assert client.post("login", data={"username": "bob", "password": "x"}).status_code == 400
        assert client.post("login", data={"username": "bob", "password": "hunter2"}).status_code == 200
        for _ in range(2):
            assert client.post("login", data={"username": "bob", "password": "x"}).status_code == 400
        assert client.post("login", data={"username": "bob", "password": "hunter2"}).status_code == 200


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"username=+alice+&password=guess"),
        (
            "multipart/form-data; boundary=XyZ",
            b'--XyZ\r\nContent-Disposition: form-data; name="username"\r\n\r\n alice \r\n'
            b'--XyZ\r\nContent-Disposition: form-data; name="password"\r\n\r\nguess\r\n--XyZ--\r\n',
        ),
    ],
)
def test_the_user_is_read_from_either_form_encoding(content_type: str, body: bytes) -> None:
    """The Gradio sign-in page posts multipart, scripts post URL-encoded; both count against the user."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/login",
        "headers": [(b"content-type", content_type.encode())],
    }
    assert in_own_loop(login_user, scope, body) == "alice"
