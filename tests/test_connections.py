"""The Settings page's guarantees, checked on core/: "Test connection" against each fake answers one
sentence (success, a rejected key, an unreachable server); saved keys go to the secrets file only,
which is mode 0600 from creation, keeps every other key and is replaced atomically; after saving,
the running studio uses the new settings; the data folder's usage is reported."""

from __future__ import annotations

import logging
import os
import re
import stat
import tomllib
from pathlib import Path

import pytest

from core import connections, data_usage, secrets_file
from core.captions.providers import openai_compat
from core.captions.providers import watsonx as wx
from core.config import Settings
from core.videos.backends import openai_videos
from tests.fakes.watsonx_server import TOKEN_PATH
from tests.helpers.browser import free_port


@pytest.fixture(autouse=True)
def fresh_clients():
    for module in (wx, openai_compat, openai_videos):
        module.clear_clients()
    yield
    for module in (wx, openai_compat, openai_videos):
        module.clear_clients()


@pytest.fixture
def secrets_path(tmp_path, monkeypatch) -> Path:
    """The secrets file the page writes, in a temporary folder; no cloud setting in the environment."""
    path = tmp_path / "config" / "secrets.toml"
    for name in list(os.environ):
        if name.startswith(("WATSONX_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("MEDIA_STUDIO_SECRETS", str(path))
    return path


def settings(**values: str) -> Settings:
    return Settings.load(environ=values, secrets={})


def one_sentence(text: str) -> bool:
    return text.endswith(".") and not re.search(r"[.!?]\s+[A-Z]", text) and "\n" not in text


def closed_url(scheme: str = "http") -> str:
    return f"{scheme}://127.0.0.1:{free_port()}"  # nothing listens there


# --- Test connection: success, a rejected key, unreachable, per back-end --------------------------------


def test_watsonx_connection_succeeds_with_one_token_call_and_one_chat(watsonx_server):
    result = connections.check_connection("watsonx", settings(**watsonx_server.client_settings()))

    assert result.ok, result.sentence
    assert result.sentence.startswith(f"Connected: {wx.DEFAULT_MODEL_ID} at {watsonx_server.base_url} answered in")
    assert one_sentence(result.sentence)
    assert (len(watsonx_server.token_requests), len(watsonx_server.chat_requests)) == (1, 1)


def test_watsonx_rejected_key_is_the_services_reason_in_one_sentence(watsonx_server):
    wrong = settings(**watsonx_server.client_settings(WATSONX_APIKEY="wrong-key-0000000000"))
    result = connections.check_connection("watsonx", wrong)

    assert not result.ok
    assert result.sentence == "watsonx rejected the credentials; check WATSONX_APIKEY (or WATSONX_TOKEN)."


def test_watsonx_chat_401_is_reported_as_rejected_credentials(watsonx_server):
    watsonx_server.fail_next(401, count=5)  # the SDK's transport retries a 401
    result = connections.check_connection("watsonx", settings(**watsonx_server.client_settings()))

    assert not result.ok
    assert "rejected the credentials (HTTP 401)" in result.sentence and one_sentence(result.sentence)


def test_watsonx_unreachable_says_so(watsonx_server):
    closed = closed_url("https")
    unreachable = watsonx_server.client_settings(
        WATSONX_URL=closed, WATSONX_PLATFORM_URL=closed, WATSONX_AUTH_URL=closed + TOKEN_PATH, WATSONX_TIMEOUT="3"
    )
    result = connections.check_connection("watsonx", settings(**unreachable))

    assert not result.ok
    assert result.sentence.startswith(f"Cannot reach watsonx at {closed}") and one_sentence(result.sentence)


def test_openai_compatible_connection_succeeds_with_one_chat(openai_chat_server):
    result = connections.check_connection("openai", settings(**openai_chat_server.client_settings()))

    assert result.ok, result.sentence
    assert result.sentence.startswith(f"Connected: llama3.2-vision at {openai_chat_server.v1_url} answered in")
    assert len(openai_chat_server.chat_requests) == 1


def test_openai_compatible_401_is_one_sentence(openai_chat_server):
    wrong = settings(**openai_chat_server.client_settings(OPENAI_API_KEY="wrong-key-1234567890"))
    result = connections.check_connection("openai", wrong)

    assert not result.ok
    assert result.sentence == (
        f"The vision server at {openai_chat_server.v1_url} rejected the API key (HTTP 401); check OPENAI_API_KEY."
    )


def test_openai_compatible_unreachable_says_so():
    closed = closed_url() + "/v1"
    result = connections.check_connection("openai", settings(OPENAI_BASE_URL=closed, OPENAI_TIMEOUT="3"))

    assert not result.ok
    assert result.sentence.startswith(f"Cannot reach the vision server at {closed}") and one_sentence(result.sentence)


def test_videos_connection_lists_one_video(videos_server):
    result = connections.check_connection("openai-videos", settings(**videos_server.client_settings()))

    assert result.ok, result.sentence
    assert result.sentence.startswith(f"Connected: the video service at {videos_server.v1_url} answered in")
    listed = [r for r in videos_server.requests if r.method == "GET" and r.path == "/v1/videos"]
    assert len(listed) == 1 and listed[0].query.get("limit") == ["1"]


def test_videos_401_is_one_sentence_without_the_key(videos_server):
    wrong_key = "sk-FAKE-wrong-03"
    result = connections.check_connection(
        "openai-videos", settings(**videos_server.client_settings(OPENAI_API_KEY=wrong_key))
    )

    assert not result.ok
    assert "rejected the API key (HTTP 401)" in result.sentence and one_sentence(result.sentence)
    assert wrong_key not in result.sentence and wrong_key[3:] not in result.sentence


def test_videos_unreachable_says_so():
    closed = closed_url() + "/v1"
    result = connections.check_connection("openai-videos", settings(OPENAI_BASE_URL=closed))

    assert not result.ok
    assert result.sentence.startswith(f"Cannot reach the video service at {closed}")


@pytest.mark.parametrize("key", ["watsonx", "openai", "openai-videos", "openai-images"])
def test_an_unconfigured_back_end_names_what_to_set_without_a_call(key):
    result = connections.check_connection(key, settings())

    assert not result.ok and result.sentence.startswith("Set ")
    assert not connections.status(key, settings()).configured


# --- the secrets file ---------------------------------------------------------------------------------------


def test_the_secrets_file_is_created_0600_and_keeps_every_other_key(secrets_path):
    secrets_path.parent.mkdir()
    secrets_path.write_text(
        'OTHER_APP_TOKEN = "keep-me"\nWATSONX_APIKEY = "old-flat"\n\n'
        '[watsonx]\napikey = "old-table"\nproject_id = "p-1"\n\n[server]\nport = 8501\nflags = [true, false]\n'
    )
    secrets_path.chmod(0o644)

    written = connections.save({"WATSONX_APIKEY": "new-key-abcdef123456", "OPENAI_BASE_URL": "http://h:1/v1"})

    assert written == secrets_path
    assert stat.S_IMODE(secrets_path.stat().st_mode) == 0o600
    document = tomllib.loads(secrets_path.read_text())
    assert document["OTHER_APP_TOKEN"] == "keep-me"
    assert document["WATSONX_APIKEY"] == "new-key-abcdef123456"
    assert document["OPENAI_BASE_URL"] == "http://h:1/v1"
    assert document["watsonx"] == {"project_id": "p-1"}  # the table's apikey is replaced, not left to compete
    assert document["server"] == {"port": 8501, "flags": [True, False]}
    assert [p.name for p in secrets_path.parent.iterdir()] == ["secrets.toml"]  # no temporary file left


def test_a_new_secrets_file_is_never_readable_by_others_even_with_a_loose_umask(secrets_path):
    previous = os.umask(0o000)
    try:
        connections.save({"OPENAI_API_KEY": "sk-abcdefghijkl1234"})
    finally:
        os.umask(previous)
    assert stat.S_IMODE(secrets_path.stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_old_file_whole(secrets_path, monkeypatch):
    secrets_path.parent.mkdir()
    secrets_path.write_text('WATSONX_APIKEY = "old-key"\n')

    def refuse(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(secrets_file.SecretsFileError, match="No space left on device"):
        connections.save({"WATSONX_APIKEY": "new-key-abcdef123456"})

    assert secrets_path.read_text() == 'WATSONX_APIKEY = "old-key"\n'
    assert [p.name for p in secrets_path.parent.iterdir()] == ["secrets.toml"]


def test_an_unreadable_secrets_file_is_never_overwritten(secrets_path):
    secrets_path.parent.mkdir()
    secrets_path.write_text("this is [not toml\n")

    with pytest.raises(secrets_file.SecretsFileError, match="is not valid TOML"):
        connections.save({"WATSONX_APIKEY": "new-key-abcdef123456"})
    assert secrets_path.read_text() == "this is [not toml\n"


def test_empty_fields_leave_settings_unchanged_and_clear_removes_them(secrets_path):
    connections.save({"OPENAI_BASE_URL": "http://a:1/v1", "OPENAI_API_KEY": "sk-abcdefghijkl1234"})
    connections.save({"OPENAI_BASE_URL": "http://b:2/v1", "OPENAI_API_KEY": ""})
    assert tomllib.loads(secrets_path.read_text()) == {
        "OPENAI_BASE_URL": "http://b:2/v1",
        "OPENAI_API_KEY": "sk-abcdefghijkl1234",
    }
    connections.clear(["OPENAI_API_KEY"])
    assert tomllib.loads(secrets_path.read_text()) == {"OPENAI_BASE_URL": "http://b:2/v1"}


def test_keys_are_shown_masked_and_sources_are_named(secrets_path, monkeypatch):
    connections.save({"OPENAI_API_KEY": "sk-abcdefghijkl1234", "OPENAI_BASE_URL": "http://ana:pw-123@h:1/v1"})
    monkeypatch.setenv("OPENAI_VISION_MODEL", "llava")
    views = {v.field.name: v for v in connections.field_views("openai", Settings.load())}

    assert views["OPENAI_API_KEY"].shown == "sk-…1234"
    assert (views["OPENAI_API_KEY"].source, views["OPENAI_API_KEY"].source_path) == ("secrets file", secrets_path)
    assert views["OPENAI_BASE_URL"].shown == "http://h:1/v1"  # never the URL's password
    assert views["OPENAI_VISION_MODEL"].source == "environment" and views["OPENAI_VISION_MODEL"].from_environment
    assert secrets_file.mask("abcdefghijklmnop") == "…mnop"
    assert secrets_file.mask("short") == secrets_file.MASK


def test_saved_settings_reach_the_running_studio_and_never_the_database_or_logs(
    studio, secrets_path, openai_chat_server, caplog
):
    caplog.set_level(logging.DEBUG)
    key = openai_chat_server.api_key
    assert not connections.status("openai", studio.settings).configured

    connections.save(openai_chat_server.client_settings())
    applied = connections.apply_saved_settings(studio)
    result = connections.check_connection("openai", studio.settings)
    openai_chat_server.fail_next(401)
    refused = connections.check_connection("openai", studio.settings)

    assert applied is studio.settings and connections.status("openai", studio.settings).configured
    assert result.ok and not refused.ok
    stored = b"".join(p.read_bytes() for p in studio.home.rglob("*") if p.is_file())
    assert key.encode() not in stored  # no database file, media file or backup holds the key
    assert key not in caplog.text and key not in result.sentence + refused.sentence
    assert tomllib.loads(secrets_path.read_text())["OPENAI_API_KEY"] == key


# --- the data folder ------------------------------------------------------------------------------------------


def test_data_usage_reports_media_database_and_trash(studio):
    (studio.media.root / "image" / "ab").mkdir(parents=True)
    (studio.media.root / "image" / "ab" / "abc.jpg").write_bytes(b"x" * 5000)

    usage = data_usage.data_usage(studio)

    assert usage.home == studio.home
    assert usage.media_bytes >= 5000
    assert usage.database_bytes is not None and usage.database_bytes > 0
    assert (usage.trash_items, usage.trash_label) == (0, "0 items")
    assert data_usage.human_size(5000) == "4.9 KB" and data_usage.human_size(12) == "12 bytes"
