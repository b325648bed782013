"""A fake OpenAI-compatible chat server (what Ollama, vLLM and OpenAI serve at ``/v1/chat/completions``).

Plain HTTP on 127.0.0.1, as local servers are. ``POST /v1/chat/completions`` answers the real
shape: ``id, object="chat.completion", created, model, choices[{index, message{role, content,
refusal}, logprobs, finish_reason}], usage{prompt_tokens, completion_tokens, total_tokens},
system_fingerprint``. Errors use OpenAI's shape ``{"error": {"message", "type", "param", "code"}}``.
When ``api_key`` is set the fake checks ``Authorization: Bearer <key>`` and answers 401 otherwise;
when it is None (a local server) any key is accepted.
"""

from __future__ import annotations

import time
import uuid

from tests.fakes.loopback import LoopbackServer, RecordedRequest, Reply

CHAT_PATH = "/v1/chat/completions"
DEFAULT_CAPTION = "A tabby cat asleep on a sunny windowsill next to a potted basil plant."

ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    503: ("server_error", None),
}


def openai_error(status: int, message: str | None = None, code: str | None = None) -> dict:
    err_type, default_code = ERROR_TYPES.get(status, ("api_error", None))
    return {
        "error": {
            "message": message or f"Fake OpenAI-compatible error {status}",
            "type": err_type,
            "param": None,
            "code": code or default_code,
        }
    }


class FakeOpenAIChat(LoopbackServer):
    """Script failures with ``fail_next(status, count)`` and stalls with ``stall_next(seconds)``."""

    scheme_name = "openai"

    def __init__(self, api_key: str | None = "fake-openai-key-abcdef123456", caption: str = DEFAULT_CAPTION):
        super().__init__(tls=None)
        self.api_key = api_key
        self.caption = caption
        self.usage = {"prompt_tokens": 812, "completion_tokens": 21}

    @property
    def v1_url(self) -> str:
        return self.base_url + "/v1"

    def client_settings(self, **overrides: str) -> dict[str, str]:
        """``OPENAI_*`` settings that point a client at this fake."""
        values = {"OPENAI_BASE_URL": self.v1_url, "OPENAI_API_KEY": self.api_key}
        values.update(overrides)
        return {k: v for k, v in values.items() if v is not None}

    def fail_next(
        self, status: int, count: int = 1, *, message: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        """The next ``count`` chat calls answer ``status``.

        Pass ``{"retry-after-ms": "10"}`` to keep SDK back-off short."""
        self.script_reply(CHAT_PATH, Reply(status, openai_error(status, message), headers or {}), count)

    def stall_next(self, seconds: float, count: int = 1) -> None:
        self.script_delay(CHAT_PATH, seconds, count)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return self.requests_to(CHAT_PATH)

    def handle(self, request: RecordedRequest) -> Reply:
        if not (request.method == "POST" and request.path == CHAT_PATH):
            return Reply(404, openai_error(404, f"Unknown request URL: {request.method} {request.path}", "unknown_url"))
        if self.api_key is not None and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return Reply(401, openai_error(401, "Incorrect API key provided."))
        try:
            body = request.json()
        except ValueError:
            return Reply(400, openai_error(400, "We could not parse the JSON body of your request."))
        if not body.get("model"):
            return Reply(400, openai_error(400, "you must provide a model parameter", "missing_required_parameter"))
        if not body.get("messages"):
            return Reply(400, openai_error(400, "'messages' is a required property", "missing_required_parameter"))
        prompt, completion = self.usage["prompt_tokens"], self.usage["completion_tokens"]
        return Reply(
            200,
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": self.caption, "refusal": None},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
                "system_fingerprint": "fp_fake",
            },
        )
