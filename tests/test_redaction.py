"""One redaction layer (issue #9): keys and tokens (with or without their prefix, quoted back by a
service or not), passwords inside URLs and Authorization headers never reach a log line, a message,
a stored error, an export or a page; URLs are shown without their credentials."""

from __future__ import annotations

import io
import logging

import pytest

from core import redact
from core.captions.providers import build_provider
from core.config import Settings
from core.errors import ProviderError
from tests.fakes.sample_images import caption_request

KEY = "sk-FAKE-live-4f9c2b"
PASSWORD = "hunter2-Sup3rSecret"


@pytest.fixture
def remembered():
    Settings.load(
        environ={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": f"http://ana:{PASSWORD}@127.0.0.1:9/v1"}, secrets={}
    )


@pytest.mark.parametrize(
    "text",
    [
        f"Incorrect API key provided: {KEY}",
        f"Incorrect API key provided: {KEY[3:]}",  # quoted back without its prefix
        f"POST http://ana:{PASSWORD}@127.0.0.1:9/v1/videos failed",
        f"the password is {PASSWORD}",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature",
        '{"apikey": "QXBpS2V5VGhhdElCTVF1b3Rlc0JhY2s", "error": "bad"}',
        '{"access_token":"eyJraWQiOiIyMDI0In0.eyJzdWIiOiJ4In0.c2ln","expires_in":3600}',
        "GET https://host/v1/thing?api_key=abcd1234efgh&x=1",
        "a masked key sk-abc***************wxyz was refused",
        "Incorrect API key provided: Basic YW5hOmh1bnRlcjItU3VwM3JTZWNyZXQ=",  # base64("ana:" + PASSWORD)
        "quoted alone: YW5hOmh1bnRlcjItU3VwM3JTZWNyZXQ=",
    ],
)
def test_scrub_removes_every_kind_of_secret(remembered, text):
    cleaned = redact.scrub(text)
    assert "[redacted]" in cleaned
    basic = "YW5hOmh1bnRlcjItU3VwM3JTZWNyZXQ"
    for secret in (
        KEY,
        KEY[3:],
        PASSWORD,
        "eyJhbGciOiJIUzI1NiJ9",
        "QXBpS2V5",
        "eyJraWQi",
        "abcd1234efgh",
        "sk-abc",
        basic,
    ):
        assert secret not in cleaned


def test_ordinary_text_is_left_alone(remembered):
    text = "A lighthouse at dusk, max_tokens=5, token count 812, http://example.com/v1 and sk-"
    assert redact.scrub(text) == text


def test_urls_are_shown_without_their_credentials():
    assert redact.display_url(f"http://ana:{PASSWORD}@127.0.0.1:9/v1") == "http://127.0.0.1:9/v1"
    assert redact.display_url("https://us-south.ml.cloud.ibm.com") == "https://us-south.ml.cloud.ibm.com"


def test_every_log_line_is_scrubbed_sdk_loggers_and_tracebacks_included(remembered):
    redact.install_log_redaction()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(redact.RedactingFilter())
    for name in ("ibm_watsonx_ai.wml_client_error", "httpx", "openai._base_client"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        logging.getLogger("ibm_watsonx_ai.wml_client_error").warning(
            'Failure during getting IAM token: \'{"errorMessage": "Provided API key could not be found: %s"}\'',
            KEY[3:],
        )
        logging.getLogger("httpx").info('HTTP Request: POST %s "HTTP/1.1 401"', f"http://ana:{PASSWORD}@h/v1/videos")
        try:
            raise RuntimeError(f"connect to http://ana:{PASSWORD}@h failed with key {KEY}")
        except RuntimeError:
            logging.getLogger("openai._base_client").exception("request failed")
    finally:
        for name in ("ibm_watsonx_ai.wml_client_error", "httpx", "openai._base_client"):
            logging.getLogger(name).removeHandler(handler)
    written = stream.getvalue()
    assert "Provided API key could not be found" in written and "RuntimeError" in written  # the lines are there …
    assert KEY[3:] not in written and PASSWORD not in written  # … without the secrets


def test_a_password_in_the_vision_servers_url_is_never_shown(openai_chat_server, caplog):
    caplog.set_level(logging.DEBUG)
    base = openai_chat_server.v1_url.replace("://", f"://ana:{PASSWORD}@")
    settings = Settings.load(
        environ=openai_chat_server.client_settings(OPENAI_BASE_URL=base, OPENAI_MODEL="llava"), secrets={}
    )
    provider = build_provider("openai", settings)
    from core.captions.providers import openai_compat

    status = openai_compat.openai_status(settings)
    assert PASSWORD not in status.reason and "ana" not in status.reason
    openai_chat_server.fail_next(
        400, count=5, message=f"bad request from ana:{PASSWORD}, key {openai_chat_server.api_key}"
    )
    with pytest.raises(ProviderError) as caught:
        provider.caption(caption_request(provider))
    assert PASSWORD not in caught.value.message and openai_chat_server.api_key not in caught.value.message
    assert PASSWORD not in caplog.text and openai_chat_server.api_key not in caplog.text
