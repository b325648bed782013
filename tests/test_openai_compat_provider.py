"""The OpenAI-compatible provider, driven through the real openai SDK against a fake chat server.

Guarantees: the request carries the instruction and a JPEG data URL; caption and usage are read
back; 401, 429, 5xx, timeouts and an unreachable server each become one clear ProviderError
sentence in bounded time; the key never appears in an error or a log line; a base URL alone
(no key) is enough for a local server.
"""

from __future__ import annotations

import base64
import io
import logging
import time

import pytest
from PIL import Image

from core.captions.providers import build_provider, default_provider_key, provider_statuses
from core.captions.providers import openai_compat as oc
from core.config import Settings
from core.errors import BackendUnavailable, ProviderError
from tests.fakes.openai_chat_server import FakeOpenAIChat
from tests.fakes.sample_images import INSTRUCTION, caption_request

QUICK_RETRY = {"retry-after-ms": "20"}  # the SDK honours it, keeping its one retry short


def settings_for(server: FakeOpenAIChat, **overrides) -> Settings:
    return Settings.load(environ=server.client_settings(**overrides), secrets={})


@pytest.fixture(autouse=True)
def fresh_clients():
    oc.clear_clients()
    yield
    oc.clear_clients()


def test_caption_sends_instruction_and_image_and_reads_caption_and_usage(openai_chat_server):
    provider = build_provider("openai", settings_for(openai_chat_server))

    result = provider.caption(caption_request(provider))

    assert result.text == openai_chat_server.caption
    assert result.model == "llama3.2-vision"
    assert (result.prompt_tokens, result.completion_tokens) == (812, 21)
    [chat] = openai_chat_server.chat_requests
    assert chat.headers["authorization"] == f"Bearer {openai_chat_server.api_key}"
    body = chat.json()
    assert body["model"] == "llama3.2-vision"
    [message] = body["messages"]
    assert message["role"] == "user"
    text_part, image_part = message["content"]
    assert text_part == {"type": "text", "text": INSTRUCTION}
    url = image_part["image_url"]["url"]
    assert image_part["type"] == "image_url" and url.startswith("data:image/jpeg;base64,")
    sent = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert sent.format == "JPEG" and max(sent.size) == 1120


def test_a_local_server_needs_no_key_and_the_model_is_configurable(openai_chat_server):
    openai_chat_server.api_key = None  # like Ollama: any key is accepted
    settings = settings_for(openai_chat_server, OPENAI_VISION_MODEL="qwen2.5vl:7b")
    provider = build_provider("openai", settings)

    result = provider.caption(caption_request(provider))

    assert result.model == "qwen2.5vl:7b"
    assert openai_chat_server.chat_requests[0].headers["authorization"] == f"Bearer {oc.NO_KEY}"
    status = oc.openai_status(settings)
    assert status.configured and "no OPENAI_API_KEY" in status.reason


@pytest.mark.parametrize(
    "status, words",
    [
        (400, ["refused the request (HTTP 400)", "Fake OpenAI-compatible error 400"]),
        (401, ["rejected the API key", "OPENAI_API_KEY"]),
        (404, ["no model llama3.2-vision", "OPENAI_VISION_MODEL"]),
        (429, ["rate-limiting", "try again later"]),
        (500, ["server error (HTTP 500)", "try again later"]),
    ],
)
def test_http_failures_become_one_clear_sentence(openai_chat_server, status, words):
    provider = build_provider("openai", settings_for(openai_chat_server))
    openai_chat_server.fail_next(status, count=10, headers=QUICK_RETRY)

    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        provider.caption(caption_request(provider))

    assert time.monotonic() - started < 10
    for word in words:
        assert word in caught.value.message
    assert len(openai_chat_server.chat_requests) <= 1 + oc.MAX_RETRIES


def test_a_wrong_key_is_rejected_by_the_server_not_leaked(openai_chat_server, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "sk-" + "wrong-key-that-must-not-leak-42"  # built, so no key-shaped literal is committed
    provider = build_provider("openai", settings_for(openai_chat_server, OPENAI_API_KEY=wrong))
    assert isinstance(provider, oc.OpenAICompatibleCaptioner)
    assert wrong not in repr(provider.config)

    with pytest.raises(ProviderError, match="rejected the API key") as caught:
        provider.caption(caption_request(provider))

    assert len(openai_chat_server.chat_requests) == 1  # 401 is not retried
    assert wrong not in caught.value.message
    assert wrong not in caplog.text


def test_secrets_never_appear_in_errors_or_logs(openai_chat_server, caplog):
    caplog.set_level(logging.DEBUG)
    provider = build_provider("openai", settings_for(openai_chat_server, OPENAI_TIMEOUT="1"))
    key = openai_chat_server.api_key
    messages = []
    for status in (400, 401, 429, 500):
        openai_chat_server.fail_next(status, count=10, message=f"echoing {key} back", headers=QUICK_RETRY)
        with pytest.raises(ProviderError) as caught:
            provider.caption(caption_request(provider))
        openai_chat_server.clear_script()
        messages.append(caught.value.message)

    assert not any(key in m for m in messages)
    assert "[redacted]" in messages[0]  # a server that echoes the key in a 400 gets it scrubbed
    assert key not in caplog.text


def test_a_stalled_server_times_out_in_bounded_time(openai_chat_server):
    provider = build_provider("openai", settings_for(openai_chat_server, OPENAI_TIMEOUT="1"))
    openai_chat_server.stall_next(30, count=5)

    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        provider.caption(caption_request(provider))

    assert time.monotonic() - started < 6  # one timeout per attempt, one retry
    assert "did not answer within 1 s" in caught.value.message
    assert len(openai_chat_server.chat_requests) == 1 + oc.MAX_RETRIES


def test_an_unreachable_server_says_so(openai_chat_server):
    openai_chat_server.stop()
    provider = build_provider("openai", settings_for(openai_chat_server, OPENAI_TIMEOUT="2"))

    with pytest.raises(ProviderError, match=r"Cannot reach the vision server at http://127\.0\.0\.1:"):
        provider.caption(caption_request(provider))


@pytest.mark.parametrize(
    "values, expected",
    [
        ({}, "Set OPENAI_BASE_URL"),
        ({"OPENAI_API_KEY": "sk-only-a-key"}, "Set OPENAI_BASE_URL"),
        ({"OPENAI_BASE_URL": "localhost:11434/v1"}, "http://"),
        ({"OPENAI_BASE_URL": "http://localhost:11434/v1", "OPENAI_TIMEOUT": "-3"}, "OPENAI_TIMEOUT"),
    ],
)
def test_status_says_what_is_missing(values, expected):
    settings = Settings.load(environ=values, secrets={})

    status = oc.openai_status(settings)

    assert not status.configured and expected in status.reason
    with pytest.raises(BackendUnavailable):
        build_provider("openai", settings)


def test_the_registry_lists_every_provider_and_prefers_openai_over_offline_without_watsonx():
    nothing = Settings.load(environ={}, secrets={})
    only_openai = Settings.load(environ={"OPENAI_BASE_URL": "http://localhost:11434/v1"}, secrets={})

    statuses = provider_statuses(nothing)

    assert [s.key for s in statuses] == ["offline", "watsonx", "openai"]
    assert statuses[0].configured and statuses[0].reason == "Runs on this computer; no account needed"
    assert not statuses[1].configured and not statuses[2].configured
    assert default_provider_key(nothing) == "offline"
    assert default_provider_key(only_openai) == "openai"
    assert oc.openai_status(only_openai).reason.startswith("llama3.2-vision at http://localhost:11434/v1")
    with pytest.raises(ValueError, match="Unknown caption provider"):
        build_provider("sora", nothing)
