"""Pytest fixtures for the fake remote services; import them where needed, e.g. in conftest.py:

    from tests.fakes.fixtures import openai_chat_server, watsonx_server, watsonx_tls_cert  # noqa: F401

- ``watsonx_tls_cert`` (session): a self-signed certificate for 127.0.0.1, made once with openssl.
- ``watsonx_sdk_isolation``: puts back ``os.environ`` and the SDK's class-level httpx settings after
  the test (the watsonx SDK writes ``WX_CLIENT_VERIFY_REQUESTS`` and others process-wide) and
  removes proxy variables so loopback traffic goes straight to the fake.
- ``watsonx_server``: a started ``FakeWatsonx`` (HTTPS + IAM); ``watsonx_server.client_settings()``
  gives the WATSONX_* settings that point a client at it. Includes the isolation above.
- ``openai_chat_server``: a started ``FakeOpenAIChat`` (plain HTTP); ``.client_settings()`` likewise.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.openai_chat_server import FakeOpenAIChat
from tests.fakes.watsonx_server import FakeWatsonx, TLSCert, make_self_signed_cert

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def _without_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def watsonx_tls_cert(tmp_path_factory: pytest.TempPathFactory) -> TLSCert:
    return make_self_signed_cert(tmp_path_factory.mktemp("watsonx-tls"))


@pytest.fixture
def watsonx_sdk_isolation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    saved_env = dict(os.environ)
    sdk_settings: Any
    try:
        from ibm_watsonx_ai._wrappers.httpx import GlobalHttpxSettings as sdk_settings
    except ImportError:  # pragma: no cover - the SDK is a runtime dependency
        sdk_settings = None
    saved_globals = (sdk_settings.verify, sdk_settings.proxies) if sdk_settings is not None else None
    _without_proxies(monkeypatch)
    yield
    os.environ.clear()
    os.environ.update(saved_env)
    if saved_globals is not None:
        sdk_settings.verify, sdk_settings.proxies = saved_globals


@pytest.fixture
def watsonx_server(watsonx_tls_cert: TLSCert, watsonx_sdk_isolation: None) -> Iterator[FakeWatsonx]:
    with FakeWatsonx(watsonx_tls_cert) as server:
        yield server


@pytest.fixture
def openai_chat_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAIChat]:
    _without_proxies(monkeypatch)
    with FakeOpenAIChat() as server:
        yield server


# --- the Videos API fake (``/v1/videos``), added with core/video/openai_videos.py ----------------------
from tests.fakes.videos_server import FakeVideos  # noqa: E402


@pytest.fixture
def videos_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeVideos]:
    """A started ``FakeVideos`` (plain HTTP); ``.client_settings()`` gives the OPENAI_* settings for it."""
    _without_proxies(monkeypatch)
    with FakeVideos() as server:
        yield server
