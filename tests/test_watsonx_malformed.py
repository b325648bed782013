"""watsonx and IAM answers that are not JSON (an HTML error page from a proxy, a cut body) become
one sentence naming the service and the HTTP status, never the raw body (issue #9)."""

from __future__ import annotations

import pytest

from core.captions.providers import build_provider
from core.captions.providers import watsonx as wx
from core.config import Settings
from core.errors import ProviderError
from tests.fakes.loopback import Raw, Reply
from tests.fakes.sample_images import caption_request
from tests.fakes.watsonx_server import CHAT_PATH, TOKEN_PATH

HTML = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>nginx SECRET-BODY</body></html>"
BROKEN = b'{"choices": [{"message": {"content": "A cat SECRET-BODY'


@pytest.fixture(autouse=True)
def fresh_clients():
    wx.clear_clients()
    yield
    wx.clear_clients()


@pytest.mark.parametrize(
    ("path", "status", "body", "words"),
    [
        (CHAT_PATH, 200, Raw(HTML), ["watsonx", "HTTP 200", "not a valid answer"]),
        (CHAT_PATH, 200, Raw(BROKEN, "application/json"), ["watsonx", "HTTP 200", "not a valid answer"]),
        (CHAT_PATH, 502, Raw(HTML), ["watsonx", "HTTP 502"]),
        (TOKEN_PATH, 200, Raw(BROKEN, "application/json"), ["sign-in service", "HTTP 200", "not a valid answer"]),
        (TOKEN_PATH, 502, Raw(HTML), ["sign-in service", "HTTP 502"]),
    ],
    ids=["chat-html-200", "chat-bad-json-200", "chat-html-502", "iam-bad-json-200", "iam-html-502"],
)
def test_a_body_that_is_not_json_is_one_sentence_with_the_service_and_status(watsonx_server, path, status, body, words):
    provider = build_provider("watsonx", Settings.load(environ=watsonx_server.client_settings(), secrets={}))
    watsonx_server.script_reply(path, Reply(status, body), count=50)
    with pytest.raises(ProviderError) as caught:
        provider.caption(caption_request(provider))
    message = caught.value.message
    for word in words:
        assert word in message, message
    assert "SECRET-BODY" not in message and "<" not in message and "\n" not in message, message
