"""The plumbing every fake remote service shares: a real HTTP(S) server on 127.0.0.1.

Each fake (one file per service) subclasses ``LoopbackServer`` and answers in that service's
wire format; this module only runs the socket, records every request and plays scripted
failures (an error status for the next N calls, or a stall longer than the client's timeout).
Real sockets, not mocks: the SDKs under test keep their own HTTP stacks (httpx, httpx2), which
request-mocking libraries do not reliably intercept.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)
_serving = threading.local()  # the handler answering this thread's request


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it."""

    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any  # serialised as JSON, unless it is a Raw
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Raw:
    """A body sent byte for byte (an HTML error page, broken JSON) with its own content type."""

    data: bytes
    content_type: str = "text/html; charset=utf-8"


@dataclass
class _Scripted:
    path_prefix: str
    remaining: int
    reply: Reply | None  # None: answer normally after the delay
    delay_s: float = 0.0


class LoopbackServer:
    """A threaded HTTP server on an ephemeral loopback port; HTTPS when given an SSL context."""

    scheme_name = "loopback"

    def __init__(self, tls: ssl.SSLContext | None = None):
        self._tls = tls
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._script: list[_Scripted] = []
        self._requests: list[RecordedRequest] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> LoopbackServer:
        handler = _make_handler(self)
        httpd = _Server(("127.0.0.1", 0), handler, tls=self._tls)
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers that are stalling on purpose
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    # --- what tests read and script --------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    def script_reply(self, path_prefix: str, reply: Reply, count: int = 1) -> None:
        """The next ``count`` requests under ``path_prefix`` get ``reply`` instead of the normal answer."""
        with self._lock:
            self._script.append(_Scripted(path_prefix, count, reply))

    def script_delay(self, path_prefix: str, seconds: float, count: int = 1) -> None:
        """The next ``count`` requests under ``path_prefix`` wait ``seconds`` before answering."""
        with self._lock:
            self._script.append(_Scripted(path_prefix, count, None, delay_s=seconds))

    def clear_script(self) -> None:
        """Drop every scripted failure or stall not yet played."""
        with self._lock:
            self._script.clear()

    # --- for subclasses ----------------------------------------------------------------------
    def handle(self, request: RecordedRequest) -> Reply | None:  # pragma: no cover - abstract
        """The reply to send as JSON, or None when the fake wrote it itself (see ``current_handler``)."""
        raise NotImplementedError

    # --- internals ----------------------------------------------------------------------------
    def _take_script(self, path: str) -> _Scripted | None:
        with self._lock:
            for item in self._script:
                if path.startswith(item.path_prefix):
                    item.remaining -= 1
                    if item.remaining <= 0:
                        self._script.remove(item)
                    return item
        return None

    def _dispatch(self, request: RecordedRequest) -> Reply | None:
        with self._lock:
            self._requests.append(request)
        scripted = self._take_script(request.path)
        if scripted is not None and scripted.delay_s and self._stopping.wait(scripted.delay_s):
            return None
        if scripted is not None and scripted.reply is not None:
            return scripted.reply
        return self.handle(request)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, tls: ssl.SSLContext | None):
        self._tls = tls
        super().__init__(address, handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self._tls is not None:
            # Handshake in the handler thread, so a client that never completes it cannot stall accept().
            sock = self._tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address) -> None:
        log.debug("fake server: connection from %s ended with an error", client_address, exc_info=True)


def current_handler() -> BaseHTTPRequestHandler:
    """The handler answering this thread's request, for a fake that writes a non-JSON reply itself."""
    handler: BaseHTTPRequestHandler = _serving.handler
    return handler


def _make_handler(fake: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = f"fake-{fake.scheme_name}"
        protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers after a test

        def _serve(self) -> None:
            _serving.handler = self
            try:
                self._answer()
            finally:
                _serving.handler = None

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = RecordedRequest(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            reply = fake._dispatch(request)
            if reply is None:
                return
            raw = reply.body if isinstance(reply.body, Raw) else None
            payload = raw.data if raw else json.dumps(reply.body).encode("utf-8")
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", raw.content_type if raw else "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass  # the client gave up (its timeout): that is what the test wanted

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args) -> None:
            log.debug("fake %s: " + format, fake.scheme_name, *args)

    return Handler
