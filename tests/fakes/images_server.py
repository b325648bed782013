"""A fake of OpenAI's Images API, written from its public reference, on a plain-HTTP loopback port.

- ``POST /v1/images/generations``: a JSON body (``prompt``, ``model``, ``n``, ``size``, ``quality``,
  ``output_format``, …); ``POST /v1/images/edits``: multipart, the source as ``image`` (one file)
  or ``image[]`` (several), each with its own content type (a file sent without a name goes out as
  ``application/octet-stream`` and is refused: "unsupported mimetype").
- Answers ``{created, background, output_format, quality, size, data: [{b64_json, revised_prompt}],
  usage: {input_tokens, input_tokens_details, output_tokens, total_tokens, output_tokens_details}}``;
  GPT image models never send URLs, and ``response_format`` is refused for them (400 ``unknown_parameter``).
- Sizes: 1024x1024, 1536x1024, 1024x1536 or ``auto``; for the GPT image 2.x models any WxH with both
  sides divisible by 16 and an aspect between 1:3 and 3:1.
- Retired models (``gpt-image-1`` shut down 2026-10-23; ``dall-e-2``/``dall-e-3`` retired 2026-05-12)
  answer 404 ``model_not_found`` with the retirement words; a prompt containing ``BLOCKED`` answers
  400 ``moderation_blocked``; a wrong key 401; ``GET /v1/models/{id}`` answers the model object.
- Errors: ``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import io
import time

from tests.fakes.loopback import LoopbackServer, RecordedRequest, Reply

GENERATIONS = "/v1/images/generations"
EDITS = "/v1/images/edits"
MODELS = "/v1/models/"
STANDARD_SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
RETIRED = {
    "gpt-image-1": "The model `gpt-image-1` was shut down on October 23, 2026. Use gpt-image-2.5-sunburst "
    "or gpt-image-2.5-flare instead.",
    "dall-e-2": "The model `dall-e-2` was retired on May 12, 2026. Use a GPT image model instead.",
    "dall-e-3": "The model `dall-e-3` was retired on May 12, 2026. Use a GPT image model instead.",
}
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
USAGE = {"input_tokens": 50, "output_tokens": 4160, "total_tokens": 4210}


def error(status: int, message: str, code: str | None = None, param: str | None = None, kind: str = "") -> Reply:
    default = {401: "invalid_request_error", 429: "requests", 500: "server_error"}.get(status, "invalid_request_error")
    return Reply(status, {"error": {"message": message, "type": kind or default, "param": param, "code": code}})


def picture(size: str, output_format: str, seed: int) -> bytes:
    """A real image of ``size`` in ``output_format``: one colour per call, so each is distinct."""
    from PIL import Image

    width, height = (int(v) for v in (size if size != "auto" else "1024x1024").split("x"))
    colour = ((seed * 67) % 256, (seed * 131 + 80) % 256, (seed * 29 + 160) % 256)
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, {"jpeg": "JPEG", "webp": "WEBP"}.get(output_format, "PNG"))
    return buffer.getvalue()


def size_refusal(model: str, size: str) -> str | None:
    if size in STANDARD_SIZES:
        return None
    if not model.startswith("gpt-image-2"):
        return f"Invalid size '{size}'. Supported sizes are 1024x1024, 1536x1024, 1024x1536, and auto."
    try:
        width, height = (int(v) for v in size.split("x"))
    except ValueError:
        return f"Invalid size '{size}': expected WIDTHxHEIGHT."
    if width % 16 or height % 16 or not 1 / 3 <= width / height <= 3:
        return f"Invalid size '{size}': both sides must be divisible by 16 and the aspect between 1:3 and 3:1."
    return None


def multipart(request: RecordedRequest) -> dict[str, list[tuple[str | None, str, bytes]]]:
    """The multipart body's fields: name → [(file name, content type, bytes)]."""
    head = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    fields: dict[str, list[tuple[str | None, str, bytes]]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        payload = payload if isinstance(payload, bytes) else b""
        fields.setdefault(str(name), []).append((part.get_filename(), part.get_content_type(), payload))
    return fields


class FakeImages(LoopbackServer):
    """Script failures with ``fail_next(status, …)``; read what was asked with ``generations``/``edits``."""

    scheme_name = "openai-images"

    def __init__(self, api_key: str | None = "sk-FAKE-img"):
        super().__init__(tls=None)
        self.api_key = api_key
        self.made = 0

    @property
    def v1_url(self) -> str:
        return self.base_url + "/v1"

    def settings(self, **overrides: str) -> dict[str, str]:
        values = {"OPENAI_IMAGE_BASE_URL": self.v1_url, "OPENAI_IMAGE_API_KEY": self.api_key or ""}
        return {**values, **overrides}

    def fail_next(self, status: int, message: str, code: str | None = None, count: int = 1, **headers: str) -> None:
        reply = error(status, message, code)
        for path in (GENERATIONS, EDITS):
            self.script_reply(path, Reply(reply.status, reply.body, dict(headers)), count)

    @property
    def generations(self) -> list[RecordedRequest]:
        return self.requests_to(GENERATIONS)

    @property
    def edits(self) -> list[RecordedRequest]:
        return self.requests_to(EDITS)

    def handle(self, request: RecordedRequest) -> Reply:
        if self.api_key is not None and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return error(
                401,
                "Incorrect API key provided: sk-FAKE***. You can find your API key in your account.",
                "invalid_api_key",
            )
        if request.method == "GET" and request.path.startswith(MODELS):
            model = request.path[len(MODELS) :]
            if model in RETIRED:
                return error(404, RETIRED[model], "model_not_found", "model")
            return Reply(200, {"id": model, "object": "model", "created": 1760000000, "owned_by": "openai"})
        if request.method != "POST" or request.path not in (GENERATIONS, EDITS):
            return error(404, f"Unknown request URL: {request.method} {request.path}.", "unknown_url")
        if request.path == GENERATIONS:
            try:
                body = request.json()
            except ValueError:
                return error(400, "We could not parse the JSON body of your request.")
            sources: list[tuple[str | None, str, bytes]] = []
        else:
            if not request.headers.get("content-type", "").startswith("multipart/form-data"):
                return error(400, "The edits endpoint takes multipart/form-data.")
            fields = multipart(request)
            sources = fields.pop("image", []) + fields.pop("image[]", [])
            body = {k: v[0][2].decode() for k, v in fields.items()}
            if not sources:
                return error(400, "Missing required parameter: 'image'.", "missing_required_parameter", "image")
            for name, kind, _data in sources:
                if kind not in IMAGE_TYPES:
                    return error(
                        400,
                        f"Invalid file '{name or 'image'}': unsupported mimetype ('{kind}'). Supported file formats "
                        "are 'image/jpeg', 'image/png', and 'image/webp'.",
                        "invalid_image_format",
                        "image",
                    )
        return self._make(body)

    def _make(self, body: dict) -> Reply:
        prompt, model = str(body.get("prompt") or ""), str(body.get("model") or "gpt-image-1")
        if not prompt:
            return error(400, "Missing required parameter: 'prompt'.", "missing_required_parameter", "prompt")
        if model in RETIRED:
            return error(404, RETIRED[model], "model_not_found", "model")
        if "response_format" in body:
            return error(400, "Unknown parameter: 'response_format'.", "unknown_parameter", "response_format")
        size, output_format = str(body.get("size") or "auto"), str(body.get("output_format") or "png")
        refused = size_refusal(model, size)
        if refused:
            return error(400, refused, "invalid_value", "size")
        if "BLOCKED" in prompt:
            return error(
                400,
                "Your request was rejected by the safety system. If you believe this is an error, contact us.",
                "moderation_blocked",
                kind="image_generation_user_error",
            )
        count = int(body.get("n") or 1)
        if not 1 <= count <= 10:
            return error(400, f"Invalid 'n': {count}. Must be between 1 and 10.", "invalid_value", "n")
        data = []
        for _ in range(count):
            self.made += 1
            encoded = base64.b64encode(picture(size, output_format, self.made)).decode("ascii")
            data.append({"b64_json": encoded, "revised_prompt": f"{prompt} (revised)"})
        usage = {
            **USAGE,
            "input_tokens_details": {"text_tokens": USAGE["input_tokens"], "image_tokens": 0},
            "output_tokens_details": {"text_tokens": 0, "image_tokens": USAGE["output_tokens"]},
        }
        return Reply(
            200,
            {
                "created": int(time.time()),
                "background": "opaque",
                "output_format": output_format,
                "quality": str(body.get("quality") or "auto"),
                "size": size,
                "data": data,
                "usage": usage,
            },
        )
