"""The watsonx provider, driven through the real ibm-watsonx-ai SDK against a fake watsonx over TLS.

Guarantees: the request carries the instruction and a downscaled JPEG data URL; only the IAM token
and chat endpoints are called; every failure becomes one clear ProviderError sentence in bounded
time; the API key and token never appear in an error or a log line; the SDK's process-wide TLS
setting is put back.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import time

import pytest
from PIL import Image

from core.captions.providers import build_provider, default_provider_key
from core.captions.providers import watsonx as wx
from core.config import Settings
from core.errors import BackendUnavailable, ProviderError
from tests.fakes.sample_images import INSTRUCTION, caption_request
from tests.fakes.watsonx_server import CHAT_PATH, TOKEN_PATH, FakeWatsonx


def settings_for(server: FakeWatsonx, **overrides) -> Settings:
    return Settings.load(environ=server.client_settings(**overrides), secrets={})


@pytest.fixture(autouse=True)
def fresh_clients():
    wx.clear_clients()
    yield
    wx.clear_clients()


def test_caption_sends_instruction_and_a_downscaled_jpeg_and_reads_caption_and_usage(watsonx_server):
    provider = build_provider("watsonx", settings_for(watsonx_server))

    result = provider.caption(caption_request(provider))

    assert result.text == watsonx_server.caption
    assert result.model == wx.DEFAULT_MODEL_ID
    assert (result.prompt_tokens, result.completion_tokens) == (1234, 17)
    [chat] = watsonx_server.chat_requests
    body = chat.json()
    assert body["model_id"] == "meta-llama/llama-4-maverick-17b-128e-instruct-fp8"
    assert body["project_id"] == watsonx_server.project_id
    [message] = body["messages"]
    assert message["role"] == "user"
    text_part, image_part = message["content"]
    assert text_part == {"type": "text", "text": INSTRUCTION}
    assert image_part["type"] == "image_url"
    url = image_part["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    sent = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert sent.format == "JPEG"
    assert max(sent.size) == 1120  # the 2400 px original was downscaled to the limit, not beyond
    assert chat.query["version"]


def test_only_the_token_and_chat_endpoints_are_called_and_the_client_is_reused(watsonx_server):
    provider = build_provider("watsonx", settings_for(watsonx_server))
    provider.caption(caption_request(provider))
    build_provider("watsonx", settings_for(watsonx_server)).caption(caption_request(provider))

    assert {r.path for r in watsonx_server.requests} == {TOKEN_PATH, CHAT_PATH}  # no project, spec or version calls
    assert len(watsonx_server.token_requests) == 1  # one IAM token for both captions
    assert len(watsonx_server.chat_requests) == 2
    chat_auth = watsonx_server.chat_requests[0].headers["authorization"]
    assert chat_auth.startswith("Bearer ") and chat_auth.count(".") == 2  # the IAM-issued JWT


def test_a_given_token_skips_iam_and_a_space_id_replaces_the_project(watsonx_server):
    token = watsonx_server.issue_token()
    settings = settings_for(
        watsonx_server, WATSONX_APIKEY=None, WATSONX_TOKEN=token, WATSONX_PROJECT_ID=None, WATSONX_SPACE_ID="space-123"
    )
    provider = build_provider("watsonx", settings)

    assert provider.caption(caption_request(provider)).text == watsonx_server.caption
    assert watsonx_server.token_requests == []
    body = watsonx_server.chat_requests[0].json()
    assert body["space_id"] == "space-123" and "project_id" not in body


@pytest.mark.parametrize(
    "status, words",
    [
        (400, ["refused the request (HTTP 400)", "Fake watsonx error 400"]),
        (401, ["rejected the credentials", "WATSONX_APIKEY"]),
        (403, ["rejected the credentials"]),
        (404, ["could not find model meta-llama/llama-4-maverick"]),
        (429, ["rate-limiting", "try again later"]),
        (500, ["service error", "500"]),
        (503, ["service error", "503"]),
    ],
)
def test_http_failures_become_one_clear_sentence_quickly(watsonx_server, status, words):
    provider = build_provider("watsonx", settings_for(watsonx_server))
    watsonx_server.fail_next(status, count=50)  # keeps failing through every retry layer

    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        provider.caption(caption_request(provider))

    assert time.monotonic() - started < 15  # retry layers are bounded, not minutes
    message = caught.value.message
    for word in words:
        assert word in message
    assert "\n" not in message and "Traceback" not in message
    assert len(watsonx_server.chat_requests) <= 8


def test_a_rejected_api_key_is_a_credentials_error(watsonx_server):
    provider = build_provider("watsonx", settings_for(watsonx_server, WATSONX_APIKEY="wrong-key-9876543210"))

    with pytest.raises(ProviderError, match="rejected the credentials"):
        provider.caption(caption_request(provider))
    assert watsonx_server.chat_requests == []


def test_a_failing_sign_in_service_is_not_blamed_on_the_key(watsonx_server):
    provider = build_provider("watsonx", settings_for(watsonx_server))
    watsonx_server.fail_next(503, count=50, endpoint="token")

    with pytest.raises(ProviderError, match=r"sign-in service failed \(HTTP 503\)"):
        provider.caption(caption_request(provider))


def test_a_url_outside_ibm_cloud_without_a_platform_url_is_explained(watsonx_server):
    provider = build_provider("watsonx", settings_for(watsonx_server, WATSONX_PLATFORM_URL=None))

    with pytest.raises(ProviderError, match="not a known IBM Cloud watsonx URL"):
        provider.caption(caption_request(provider))


def test_a_stalled_answer_times_out_once_within_the_configured_limit(watsonx_server):
    provider = build_provider("watsonx", settings_for(watsonx_server, WATSONX_TIMEOUT="1.5"))
    provider.caption(caption_request(provider))  # the IAM token is fetched before the clock starts
    watsonx_server.stall_next(30, count=5)

    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        provider.caption(caption_request(provider))

    elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 5, elapsed
    assert "did not answer within 1.5 s" in caught.value.message
    assert len(watsonx_server.chat_requests) == 2  # the success, then one timed-out attempt: no retry


def test_an_unreachable_url_says_so(watsonx_server):
    closed = f"https://127.0.0.1:{_closed_port()}"
    settings = settings_for(
        watsonx_server,
        WATSONX_URL=closed,
        WATSONX_PLATFORM_URL=closed,
        WATSONX_AUTH_URL=closed + TOKEN_PATH,
        WATSONX_TIMEOUT="3",
    )
    provider = build_provider("watsonx", settings)

    with pytest.raises(ProviderError, match=r"Cannot reach watsonx at https://127\.0\.0\.1:"):
        provider.caption(caption_request(provider))


def test_an_untrusted_certificate_is_refused_not_silently_accepted(watsonx_server):
    provider = build_provider("watsonx", settings_for(watsonx_server, WATSONX_VERIFY="true"))

    with pytest.raises(ProviderError, match="WATSONX_VERIFY"):
        provider.caption(caption_request(provider))
    assert watsonx_server.chat_requests == []


def test_secrets_never_appear_in_errors_or_logs(watsonx_server, caplog):
    caplog.set_level(logging.DEBUG)
    api_key = watsonx_server.api_key
    token = watsonx_server.issue_token()
    messages = []

    for settings, status in [
        (settings_for(watsonx_server), 401),
        (settings_for(watsonx_server), 429),
        (settings_for(watsonx_server, WATSONX_APIKEY=None, WATSONX_TOKEN=token), 500),
        (settings_for(watsonx_server, WATSONX_APIKEY=api_key + "-revoked"), None),
    ]:
        provider = build_provider("watsonx", settings)
        assert isinstance(provider, wx.WatsonxCaptioner)
        assert api_key not in repr(provider.config) and token not in repr(provider.config)
        if status:
            watsonx_server.fail_next(status, count=50)
        with pytest.raises(ProviderError) as caught:
            provider.caption(caption_request(provider))
        watsonx_server.clear_script()
        messages.append(caught.value.message)

    assert caplog.records, "the SDK and the provider should have logged something"
    for secret in (api_key, token):
        assert not any(secret in m for m in messages)
        assert secret not in caplog.text
        assert not any(secret in str(r.args) for r in caplog.records)


def test_the_sdk_process_wide_tls_setting_is_put_back(watsonx_server):
    before = os.environ.get("WX_CLIENT_VERIFY_REQUESTS")
    provider = build_provider("watsonx", settings_for(watsonx_server))
    provider.caption(caption_request(provider))
    assert os.environ.get("WX_CLIENT_VERIFY_REQUESTS") == before


@pytest.mark.parametrize(
    "missing, expected",
    [
        ({"WATSONX_URL": None}, "Set WATSONX_URL"),
        ({"WATSONX_APIKEY": None}, "Set WATSONX_APIKEY or WATSONX_TOKEN"),
        ({"WATSONX_PROJECT_ID": None}, "Set WATSONX_PROJECT_ID or WATSONX_SPACE_ID"),
        ({"WATSONX_URL": "http://plain.example"}, "https://"),
        ({"WATSONX_VERIFY": "/nowhere/ca.pem"}, "WATSONX_VERIFY"),
        ({"WATSONX_TIMEOUT": "soon"}, "WATSONX_TIMEOUT"),
    ],
)
def test_status_names_exactly_the_missing_setting(watsonx_tls_cert, missing, expected):
    values = {
        "WATSONX_URL": "https://us-south.ml.cloud.ibm.com",
        "WATSONX_APIKEY": "k" * 20,
        "WATSONX_PROJECT_ID": "p",
        "WATSONX_VERIFY": str(watsonx_tls_cert.cert_path),
    }
    values.update(missing)
    settings = Settings.load(environ={k: v for k, v in values.items() if v is not None}, secrets={})

    status = wx.watsonx_status(settings)

    assert not status.configured
    assert expected in status.reason
    with pytest.raises(BackendUnavailable):
        build_provider("watsonx", settings)


def test_status_when_configured_names_the_model_and_url_and_watsonx_is_the_default():
    settings = Settings.load(
        environ={
            "WATSONX_URL": "https://eu-de.ml.cloud.ibm.com",
            "WATSONX_APIKEY": "secret-key-123",
            "WATSONX_PROJECT_ID": "p",
            "OPENAI_BASE_URL": "http://localhost:11434/v1",
        },
        secrets={},
    )
    status = wx.watsonx_status(settings)

    assert status.configured
    assert status.reason == "Llama 4 Maverick on https://eu-de.ml.cloud.ibm.com"
    assert "secret-key-123" not in status.reason
    assert default_provider_key(settings) == "watsonx"


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
