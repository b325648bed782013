"""Who may use the studio: loopback needs no account; any other address needs sign-in configured,
and a server without it refuses with one sentence (``core/access.py``)."""

from __future__ import annotations

import pytest

from core import access

SHARED = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "a-long-random-secret"}
PROVIDER = {
    "client_id": "media-studio",
    "client_secret": "s3cret",
    "server_metadata_url": "https://id.example.com/.well-known/openid-configuration",
}


@pytest.mark.parametrize("address", ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", " 127.0.0.1 "])
def test_loopback_addresses_reach_only_this_computer(address):
    assert access.is_loopback(address)


@pytest.mark.parametrize("address", [None, "", "0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "studio.example.com"])
def test_every_interface_and_any_other_address_are_not_loopback(address):
    assert not access.is_loopback(address)


def test_sign_in_written_flat_in_auth_uses_the_default_provider():
    assert access.sign_in_provider({**SHARED, **PROVIDER}) == "default"
    assert access.sign_in_configured({**SHARED, **PROVIDER})


def test_sign_in_with_a_named_provider_table_uses_that_name():
    assert access.sign_in_provider({**SHARED, "company": PROVIDER}) == "company"


def test_a_provider_name_streamlit_refuses_does_not_count():
    assert access.sign_in_provider({**SHARED, "my_company": PROVIDER}) is None


@pytest.mark.parametrize(
    "dropped", ["redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"]
)
def test_sign_in_is_not_configured_while_any_required_key_is_missing_or_empty(dropped):
    auth = {**SHARED, **PROVIDER}
    del auth[dropped]
    assert not access.sign_in_configured(auth)
    assert access.missing_keys(auth) == [dropped]
    assert not access.sign_in_configured({**auth, dropped: "  "})


def test_no_auth_section_is_no_sign_in():
    assert access.sign_in_provider(None) is None
    assert access.sign_in_provider({}) is None


def test_loopback_starts_without_sign_in():
    assert access.refusal("127.0.0.1", None) is None


def test_another_address_starts_once_sign_in_is_configured():
    assert access.refusal("0.0.0.0", {**SHARED, **PROVIDER}) is None
    assert access.refusal("", {**SHARED, "company": PROVIDER}) is None


def test_another_address_without_sign_in_is_refused_in_one_sentence():
    sentence = access.refusal("0.0.0.0", None)
    assert sentence == (
        "Media Studio will not listen on 0.0.0.0 without sign-in: set up [auth] in .streamlit/secrets.toml "
        "(see docs/deploy.md) or listen on 127.0.0.1."
    )
    assert access.refusal(None, None) is not None and "on every address" in access.refusal(None, None)


def test_a_half_configured_sign_in_is_refused_naming_what_is_missing():
    sentence = access.refusal("192.168.1.20", {**SHARED, "client_id": "media-studio"})
    assert sentence is not None
    assert "lacks client_secret, server_metadata_url" in sentence
    assert sentence.endswith(".") and "\n" not in sentence
