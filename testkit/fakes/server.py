"""Plumbing shared by the loopback fakes of destination APIs (Canvas, the OneRoster gradebook).

A fake is a real HTTP server on 127.0.0.1 (port chosen by the OS) so that the client's whole stack, retries,
timeouts and dropped sockets included, is exercised for real. A subclass declares its routes and auth;
this base counts requests, keeps a log of creates and updates, and plays scripted faults:

    with FakeCanvas(token="t") as canvas:
        canvas.inject(Fault(FaultKind.THROTTLE_403), Fault(FaultKind.ERROR_500, path="pages"))
        ...

Faults are consumed in order, each by the first request it matches. Throttles and 500s are answered
without touching state; SLOW, DROP and DROP_MID apply the request first and then fail to answer it well,
the case where a client cannot know whether its write landed.
"""

from __future__ import annotations

import json
import re
import threading
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from hub.http import HttpSettings

WRITE_METHODS = frozenset({"PUT", "POST", "DELETE"})

LOOPBACK_HTTP = HttpSettings(
    connect_timeout=1.0,
    read_timeout=0.5,
    retries=4,
    backoff_factor=0.01,
    backoff_jitter=0.01,
    retry_after_max=0.05,
    rate_limit_max_pause=0.2,
)
"""Client settings that suit a fake on loopback (tests, the demo): a fault costs tenths of a second."""


class NotFound(Exception):
    """Raised by a route handler for an unknown id; answered with the fake's ``not_found()``."""


class FaultKind(StrEnum):
    THROTTLE_403 = "throttle_403"  # Canvas's classic throttle answer
    THROTTLE_429 = "throttle_429"
    ERROR_500 = "error_500"
    SLOW = "slow"  # applied; the answer comes after `delay` seconds
    DROP = "drop"  # applied; the connection closes before any answer
    DROP_MID = "drop_mid"  # applied; the connection closes halfway through the answer


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    path: str = ""  # regular expression searched in the decoded path; "" matches any
    method: str | None = None
    retry_after: int | None = 1  # seconds, on throttles
    delay: float = 2.0  # seconds, on SLOW


@dataclass(slots=True)
class Request:
    method: str
    raw_path: str  # as sent, escapes kept
    segments: tuple[str, ...]  # the path split on "/" and then unescaped, so ids may hold "/"
    query: dict[str, list[str]]
    headers: Any
    body: bytes

    @property
    def path(self) -> str:
        return "/" + "/".join(self.segments)

    def form(self) -> dict[str, str]:
        return {
            key: values[-1] for key, values in parse_qs(self.body.decode(), keep_blank_values=True).items()
        }

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass(slots=True)
class Reply:
    status: int
    body: Any = b""  # dict/list -> JSON, str -> text
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            self.headers.setdefault("Content-Type", "text/plain; charset=utf-8")
            return self.body.encode()
        self.headers.setdefault("Content-Type", "application/json")
        return json.dumps(self.body).encode()


Route = tuple[str, tuple[str, ...], Callable[..., Reply]]  # method, pattern (":name" captures), handler


class FakeServer:
    """Base of the fakes: subclasses give ``routes()`` and ``authorize()``, and may ``decorate`` replies."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: Counter[tuple[str, tuple[str, ...]]] = Counter()
        self.log: list[tuple[str, str]] = []  # (method, path as sent, escapes kept), in arrival order
        self.writes: list[tuple[str, str, str]] = []  # (resource, key, "create" | "update")
        self.errors: list[str] = []  # tracebacks of the fake's own bugs
        self.stalled = threading.Event()
        self._faults: list[Fault] = []
        self._stall: tuple[int, float] | None = None
        self._write_successes = 0
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    # -- what a subclass provides ---------------------------------------------------------------------
    def routes(self) -> list[Route]:
        raise NotImplementedError

    def authorize(self, request: Request) -> Reply | None:
        """None to let the request through, or the refusal to send."""
        return None

    def fault_reply(self, fault: Fault) -> Reply:
        status = {FaultKind.THROTTLE_403: 403, FaultKind.THROTTLE_429: 429}.get(fault.kind, 500)
        return Reply(status, "Rate Limit Exceeded" if status != 500 else "Internal Server Error")

    def not_found(self) -> Reply:
        return Reply(404, "Not Found")

    def decorate(self, reply: Reply) -> None:
        """Add headers every answer carries (rate-limit state, ...)."""

    # -- scripting ------------------------------------------------------------------------------------
    def inject(self, *faults: Fault) -> None:
        with self.lock:
            self._faults.extend(faults)

    def stall_after(self, writes: int | None, delay: float = 60.0) -> None:
        """After ``writes`` successful writes, apply every request but answer it only after ``delay``
        (a server hanging mid-run); ``None`` ends the stall for requests that come later."""
        with self.lock:
            self._stall = None if writes is None else (writes, delay)

    def pending_faults(self) -> int:
        with self.lock:
            return len(self._faults)

    def record_write(self, resource: str, key: str, created: bool) -> None:
        self.writes.append((resource, key, "create" if created else "update"))

    def write_counts(self, resource: str, action: str) -> Counter[str]:
        with self.lock:
            return Counter(key for kind, key, done in self.writes if kind == resource and done == action)

    def count(self, method: str, *segments: str) -> int:
        with self.lock:
            return self.requests[(method, segments)]

    # -- lifecycle ------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake server is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.app = self
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes answers held back by SLOW or a stall
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- one request ----------------------------------------------------------------------------------
    def _serve(self, handler: _Handler) -> None:
        request = _read(handler)
        with self.lock:
            self.requests[(request.method, request.segments)] += 1
            self.log.append((request.method, request.raw_path))
            fault = self._take_fault(request)
            stall = self._stall[1] if self._stall and self._write_successes >= self._stall[0] else None
        if fault and fault.kind in (FaultKind.THROTTLE_403, FaultKind.THROTTLE_429, FaultKind.ERROR_500):
            reply = self.fault_reply(fault)
            if fault.retry_after is not None and fault.kind != FaultKind.ERROR_500:
                reply.headers["Retry-After"] = str(fault.retry_after)
            return self._answer(handler, reply)
        reply = self.authorize(request) or self._dispatch(request)
        if stall is not None:
            self.stalled.set()
            self._stopping.wait(stall)
        if fault and fault.kind is FaultKind.SLOW:
            self._stopping.wait(fault.delay)
        if fault and fault.kind is FaultKind.DROP:
            handler.close_connection = True
            return None
        return self._answer(handler, reply, cut=bool(fault and fault.kind is FaultKind.DROP_MID))

    def _take_fault(self, request: Request) -> Fault | None:
        for index, fault in enumerate(self._faults):
            if (fault.method in (None, request.method)) and re.search(fault.path, request.path):
                return self._faults.pop(index)
        return None

    def _dispatch(self, request: Request) -> Reply:
        for method, pattern, handler in self.routes():
            params = _match(pattern, request.segments) if method == request.method else None
            if params is None:
                continue
            try:
                with self.lock:
                    reply = handler(request, **params)
                    if request.method in WRITE_METHODS and reply.status < 300:
                        self._write_successes += 1
                return reply
            except NotFound:
                return self.not_found()
            except Exception:
                self.errors.append(traceback.format_exc())
                return Reply(500, "fake server bug, see .errors")
        return self.not_found()

    def _answer(self, handler: _Handler, reply: Reply, *, cut: bool = False) -> None:
        self.decorate(reply)
        body = reply.encoded()
        try:
            handler.send_response(reply.status)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2] if cut else body)
            handler.wfile.flush()
        except OSError:  # the client gave up (timed out) before the answer came
            handler.close_connection = True
        if cut:
            handler.close_connection = True


def _match(pattern: tuple[str, ...], segments: tuple[str, ...]) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    params = {}
    for part, segment in zip(pattern, segments, strict=True):
        if part.startswith(":"):
            params[part[1:]] = segment
        elif part != segment:
            return None
    return params


def _read(handler: _Handler) -> Request:
    parts = urlsplit(handler.path)
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length else b""
    segments = tuple(unquote(segment) for segment in parts.path.split("/")[1:])
    return Request(handler.command, parts.path, segments, parse_qs(parts.query), handler.headers, body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    app: FakeServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up mid-answer is the point of some faults, not an error to print."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes; Nagle would hold the second 40 ms
    server: _Server

    def _any(self) -> None:
        self.server.app._serve(self)

    do_GET = do_PUT = do_POST = do_DELETE = _any

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines carry SIS ids."""
