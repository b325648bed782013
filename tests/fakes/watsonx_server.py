"""A fake IBM watsonx.ai (IBM Cloud) speaking the real wire format over real TLS.

Endpoints, as the ``ibm-watsonx-ai`` SDK calls them:

- ``POST /identity/token`` — IBM Cloud IAM. Form body ``apikey=…&grant_type=urn:ibm:params:oauth:grant-type:apikey``;
  answers an ``access_token`` that is a JWT with an ``exp`` claim (the SDK reads it to plan refreshes).
  An unknown key is a 400 in IAM's own error shape, as the real service does.
- ``POST /ml/v1/text/chat?version=YYYY-MM-DD`` — chat completions. Needs ``Authorization: Bearer <token>``
  (one this fake issued, or one registered with ``accept_token``), a ``model_id``, a ``project_id`` or
  ``space_id`` and ``messages``; answers ``id, model_id, model, created, created_at, choices[{index,
  message{role, content}, finish_reason}], usage{prompt_tokens, completion_tokens, total_tokens}``.
- Anything else is a 404 in watsonx's error shape and stays in the request log, so a test can
  assert that no extra call (project lookup, model specs, version probe) was made.

Errors use watsonx's shape: ``{"errors": [{"code", "message", "more_info"}], "trace", "status_code"}``.
The server needs a certificate: ``make_self_signed_cert`` creates one for 127.0.0.1 with ``openssl``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.loopback import LoopbackServer, RecordedRequest, Reply

TOKEN_PATH = "/identity/token"
CHAT_PATH = "/ml/v1/text/chat"
APIKEY_GRANT = "urn:ibm:params:oauth:grant-type:apikey"
DEFAULT_CAPTION = "A red bicycle leaning against a brick wall in late afternoon light."

# Codes the real service uses for these statuses.
ERROR_CODES = {
    400: "json_validation_error",
    401: "authentication_token_not_valid",
    403: "authorization_rejected",
    404: "model_not_supported",
    429: "too_many_requests",
    500: "internal_server_error",
    503: "service_unavailable",
}


@dataclass(frozen=True)
class TLSCert:
    cert_path: Path
    key_path: Path


def make_self_signed_cert(directory: Path) -> TLSCert:
    """A throwaway certificate for 127.0.0.1 (with the IP in subjectAltName, which TLS clients check)."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "fake-watsonx.pem", directory / "fake-watsonx-key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return TLSCert(cert, key)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(claims: dict, secret: bytes = b"fake-iam-signing-key") -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "fake"}).encode())
    payload = _b64url(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def watsonx_error(status: int, message: str | None = None, code: str | None = None) -> dict:
    return {
        "errors": [
            {
                "code": code or ERROR_CODES.get(status, "error"),
                "message": message or f"Fake watsonx error {status}",
                "more_info": "https://cloud.ibm.com/apidocs/watsonx-ai",
            }
        ],
        "trace": uuid.uuid4().hex,
        "status_code": status,
    }


class FakeWatsonx(LoopbackServer):
    """watsonx.ai + IAM on one HTTPS loopback port.

    Script failures with ``fail_next(status, count)`` and stalls with ``stall_next(seconds)``;
    read ``chat_requests`` / ``token_requests`` / ``requests`` to see what the client sent.
    """

    scheme_name = "watsonx"

    def __init__(
        self,
        cert: TLSCert,
        api_key: str = "fake-watsonx-apikey-0123456789",
        project_id: str = "00000000-1111-2222-3333-444444444444",
        caption: str = DEFAULT_CAPTION,
        token_ttl_s: int = 3600,
    ):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert.cert_path), str(cert.key_path))
        super().__init__(tls=context)
        self.cert = cert
        self.api_key = api_key
        self.project_id = project_id
        self.caption = caption
        self.usage = {"prompt_tokens": 1234, "completion_tokens": 17}
        self.token_ttl_s = token_ttl_s
        self._tokens: set[str] = set()

    # --- what a client needs ------------------------------------------------------------
    @property
    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH

    def client_settings(self, **overrides: str) -> dict[str, str]:
        """``WATSONX_*`` settings that point a client at this fake (URLs, key, project, CA bundle)."""
        values = {
            "WATSONX_URL": self.base_url,
            "WATSONX_APIKEY": self.api_key,
            "WATSONX_PROJECT_ID": self.project_id,
            "WATSONX_AUTH_URL": self.token_url,
            "WATSONX_PLATFORM_URL": self.base_url,
            "WATSONX_VERIFY": str(self.cert.cert_path),
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v is not None}

    def issue_token(self) -> str:
        now = int(time.time())
        claims = {"iam_id": "iam-ServiceId-fake", "sub": "ServiceId-fake", "iat": now, "exp": now + self.token_ttl_s}
        for nonce in range(1000):
            # The SDK decodes the payload with the standard base64 alphabet: keep it free of "-" and "_".
            token = make_jwt({**claims, "jti": f"fake{nonce}"})
            if not set(token.split(".")[1]) & {"-", "_"}:
                break
        with self._lock:
            self._tokens.add(token)
        return token

    def accept_token(self, token: str) -> None:
        with self._lock:
            self._tokens.add(token)

    # --- scripting --------------------------------------------------------------------
    def fail_next(
        self,
        status: int,
        count: int = 1,
        *,
        endpoint: str = "chat",
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next ``count`` calls to ``endpoint`` ("chat" or "token") answer ``status``."""
        path = CHAT_PATH if endpoint == "chat" else TOKEN_PATH
        body = watsonx_error(status, message) if path == CHAT_PATH else _iam_error(status, message)
        self.script_reply(path, Reply(status, body, headers or {}), count)

    def stall_next(self, seconds: float, count: int = 1, *, endpoint: str = "chat") -> None:
        self.script_delay(CHAT_PATH if endpoint == "chat" else TOKEN_PATH, seconds, count)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return self.requests_to(CHAT_PATH)

    @property
    def token_requests(self) -> list[RecordedRequest]:
        return self.requests_to(TOKEN_PATH)

    # --- the service --------------------------------------------------------------------
    def handle(self, request: RecordedRequest) -> Reply:
        if request.method == "POST" and request.path == TOKEN_PATH:
            return self._token(request)
        if request.method == "POST" and request.path == CHAT_PATH:
            return self._chat(request)
        return Reply(404, watsonx_error(404, f"Fake watsonx has no route {request.method} {request.path}", "not_found"))

    def _token(self, request: RecordedRequest) -> Reply:
        form = request.form()
        if form.get("grant_type") != [APIKEY_GRANT]:
            return Reply(400, _iam_error(400, "Unsupported grant type."))
        if form.get("apikey") != [self.api_key]:
            return Reply(400, _iam_error(400, "Provided API key could not be found.", "BXNIM0415E"))
        token = self.issue_token()
        now = int(time.time())
        return Reply(
            200,
            {
                "access_token": token,
                "refresh_token": "not_supported",
                "token_type": "Bearer",
                "expires_in": self.token_ttl_s,
                "expiration": now + self.token_ttl_s,
                "scope": "ibm openid",
            },
        )

    def _chat(self, request: RecordedRequest) -> Reply:
        auth = request.headers.get("authorization", "")
        with self._lock:
            known = auth.startswith("Bearer ") and auth[len("Bearer ") :] in self._tokens
        if not known:
            return Reply(
                401, watsonx_error(401, "Failed to authenticate the request due to an expired or invalid token.")
            )
        if not request.query.get("version"):
            return Reply(400, watsonx_error(400, "Missing query parameter: version", "missing_version"))
        try:
            body = request.json()
        except ValueError:
            return Reply(400, watsonx_error(400, "Request body is not valid JSON."))
        if not body.get("model_id"):
            return Reply(400, watsonx_error(400, "Missing required field: model_id"))
        if not (body.get("project_id") or body.get("space_id")):
            return Reply(400, watsonx_error(400, "Either project_id or space_id must be specified."))
        if not body.get("messages"):
            return Reply(400, watsonx_error(400, "Missing required field: messages"))
        prompt, completion = self.usage["prompt_tokens"], self.usage["completion_tokens"]
        now = time.time()
        return Reply(
            200,
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
                "object": "chat.completion",
                "model_id": body["model_id"],
                "model": body["model_id"],
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": self.caption}, "finish_reason": "stop"}
                ],
                "created": int(now),
                "model_version": "4.0.0",
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now)),
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
            },
        )


def _iam_error(status: int, message: str | None = None, code: str = "BXNIM0000E") -> dict:
    """IAM's own error shape (it is not watsonx's)."""
    return {
        "errorCode": code,
        "errorMessage": message or f"Fake IAM error {status}",
        "context": {"requestId": uuid.uuid4().hex},
    }
