"""Settings come from the environment first, then .streamlit/secrets.toml; secrets never print."""

import logging

from core.captions.providers import default_provider_key
from core.config import Settings, read_secrets_file


def test_secrets_file_flat_and_table_layouts_are_both_read(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text('WATSONX_URL = "https://example.test"\n[watsonx]\napikey = "k-123"\nproject_id = "p-1"\n')
    values = read_secrets_file([path])
    assert values["WATSONX_URL"] == "https://example.test"
    assert values["WATSONX_APIKEY"] == "k-123"
    assert values["WATSONX_PROJECT_ID"] == "p-1"


def test_the_environment_wins_over_the_secrets_file_and_unrelated_variables_are_ignored():
    settings = Settings.load(
        environ={"OPENAI_BASE_URL": "http://env", "PATH": "/bin"},
        secrets={"OPENAI_BASE_URL": "http://file", "OPENAI_VISION_MODEL": "m"},
    )
    assert settings.get("OPENAI_BASE_URL") == "http://env"
    assert settings.get("OPENAI_VISION_MODEL") == "m"
    assert settings.get("PATH") is None


def test_credentials_in_secrets_toml_switch_the_default_to_the_cloud(tmp_path, monkeypatch):
    path = tmp_path / "secrets.toml"
    assert default_provider_key(Settings.load(environ={}, secrets=read_secrets_file([path]))) == "offline"
    path.write_text('OPENAI_BASE_URL = "http://127.0.0.1:9/v1"\n')
    monkeypatch.setenv("MEDIA_STUDIO_SECRETS", str(path))
    assert default_provider_key(Settings.load(environ={})) == "openai"


def test_a_broken_secrets_file_is_ignored_without_echoing_it(tmp_path, caplog):
    path = tmp_path / "secrets.toml"
    path.write_text('WATSONX_APIKEY = "super-secret-value\n')  # unterminated string
    with caplog.at_level(logging.DEBUG):
        assert read_secrets_file([path]) == {}
    assert "super-secret-value" not in caplog.text
    assert "Ignoring unreadable secrets file" in caplog.text


def test_settings_never_show_their_values():
    settings = Settings.load(environ={"WATSONX_APIKEY": "hunter2"}, secrets={})
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings)
