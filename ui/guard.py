"""The workspace's front door, an ASGI middleware before every Gradio route.

* A request must name a host this server answers to, so that a web page cannot reach a loopback server
  through DNS rebinding (its requests carry the attacker's name in ``Host``).
* Every response forbids remote images: a second line behind showing library text as text.
* Failed sign-ins are counted per client address and per user name; past the limit, sign-ins are
  refused until the oldest failure leaves the window.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable, Iterable

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_BINDS = ("", "0.0.0.0", "::")
CONTENT_SECURITY_POLICY = "img-src 'self' data: blob:"
MAX_LOGIN_BODY = 64 * 1024


def host_name(header: str) -> str:
    """The name in a ``Host`` header: lower case, without the port, IPv6 brackets or a final dot."""
    value = header.strip().lower()
    name = value[1:].partition("]")[0] if value.startswith("[") else value.partition(":")[0]
    return name.rstrip(".")


class HostAllowList:
    """The names a server answers to; an entry ``*.example.org`` takes every name under that domain."""

    def __init__(self, names: Iterable[str]) -> None:
        cleaned = {n.strip().lower().strip("[]").rstrip(".") for n in names}
        self.exact = {n for n in cleaned if n and not n.startswith("*.")}
        self.domains = tuple(n[1:] for n in cleaned if n.startswith("*."))

    @classmethod
    def served(cls, bound: str, extra: Iterable[str], share: bool = False) -> HostAllowList:
        """Loopback names, the address the server is bound to (unless it is a wildcard), the operator's
        names, and the share tunnel's domain when a share link is open."""
        names = [*LOOPBACK_NAMES, *extra]
        if bound not in WILDCARD_BINDS:
            names.append(bound)
        if share:
            names.append("*.gradio.live")
        return cls(names)

    def allows(self, header: str) -> bool:
        name = host_name(header)
        return bool(name) and (name in self.exact or name.endswith(self.domains))


class LoginThrottle:
    """Failed sign-ins in a sliding window, per key (a client address, a user name)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, keys: Iterable[str]) -> float:
        """Seconds until any of ``keys`` may try again; 0 when none is locked out."""
        now = self._clock()
        waits = [
            times[0] + self.window - now
            for times in (self._recent(k, now) for k in keys)
            if len(times) >= self.limit
        ]
        return max(waits, default=0.0)

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        for key in keys:
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times
        for stale in [k for k, t in self._failures.items() if not self._recent(k, now)]:
            del self._failures[stale]

    def succeeded(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._failures.pop(key, None)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None when it is longer than ``limit`` bytes."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > limit:
            return None
        if not message.get("more_body", False):
            return body


def replaying(body: bytes, then: Receive | None = None) -> Receive:
    """A ``receive`` that hands over ``body`` (already read from the client) as the whole request, then
    waits on ``then`` (the client's own, for its disconnect) or reports a disconnect."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await then() if then else {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def login_user(scope: Scope, body: bytes) -> str:
    """The user name a sign-in form names (URL-encoded, or the multipart form the Gradio page sends)."""
    form = await Request(scope, replaying(body)).form()
    return str(form.get("username") or "").strip()


class WorkspaceGuard:
    """Host allow-list, image policy and sign-in throttle around the Gradio app (see the module)."""

    def __init__(self, app: ASGIApp, hosts: HostAllowList, throttle: LoginThrottle) -> None:
        self.app = app
        self.hosts = hosts
        self.throttle = throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if not self.hosts.allows(host):
            logger.warning("refused a request for host %r (not in the served names)", host)
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            refusal = PlainTextResponse(
                f"This server does not answer to the host {host_name(host) or '(none)'!r}; its operator "
                "can add the name to RAPPORTEUR_UI_HOSTS.",
                status_code=421,
            )
            await refusal(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                policy = (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())
                message["headers"] = [*message.get("headers", []), policy]
            await send(message)

        if scope["method"] == "POST" and scope["path"].rstrip("/").endswith("/login"):
            await self._sign_in(scope, receive, send_with_policy)
        else:
            await self.app(scope, receive, send_with_policy)

    async def _sign_in(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a locked-out address or user; otherwise pass the sign-in on and count its outcome."""
        body = await _read_body(receive, MAX_LOGIN_BODY)
        if body is None:
            await PlainTextResponse("The sign-in form is too large.", status_code=413)(scope, receive, send)
            return
        client = scope.get("client")
        keys = [f"address {client[0] if client else '?'}", f"user {await login_user(scope, body)}"]
        wait = self.throttle.retry_after(keys)
        if wait > 0:
            logger.warning("refused a sign-in (%s): too many failures", ", ".join(keys))
            seconds = math.ceil(wait)
            refusal = JSONResponse(
                {"detail": f"Too many failed sign-ins; try again in {seconds} s."},
                status_code=429,
                headers={"Retry-After": str(seconds)},
            )
            await refusal(scope, receive, send)
            return

        async def count_outcome(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 200:
                    self.throttle.succeeded(keys)
                elif 400 <= message["status"] < 500:
                    self.throttle.failed(keys)
            await send(message)

        await self.app(scope, replaying(body, receive), count_outcome)
