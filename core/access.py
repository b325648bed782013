"""Who may use the studio: on loopback anyone at this computer; on any other address only people who
signed in through the OpenID Connect provider in Streamlit's secrets (``st.login``).

Pure decisions, so they are tested without a server: ``streamlit_app.py`` asks them once when the
server starts (and refuses to listen beyond this computer without sign-in) and on every script run
(to show only the sign-in screen to a browser that has not signed in).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

SHARED_KEYS = ("redirect_uri", "cookie_secret")  # in [auth] itself
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")  # in [auth] or [auth.<name>]
DEFAULT_PROVIDER = "default"  # Streamlit's name for the provider written flat in [auth]
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def auth_settings() -> Mapping[str, object] | None:
    """The ``[auth]`` table of Streamlit's secrets (``.streamlit/secrets.toml`` or ``secrets.files``),
    or None when there is none: what ``st.login`` reads, and what every decision here is made on."""
    import streamlit as st

    auth = st.secrets.get("auth") if st.secrets.load_if_toml_exists() else None
    return auth if isinstance(auth, Mapping) else None


def is_loopback(address: str | None) -> bool:
    """True when ``address`` reaches only this computer: 127.0.0.0/8, ::1 or ``localhost``.

    An empty address (Streamlit's default when none is set), ``0.0.0.0`` and ``::`` listen on
    every interface; any other name may resolve anywhere: none of them is loopback."""
    host = (address or "").strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sign_in_provider(auth: Mapping[str, object] | None) -> str | None:
    """The provider ``st.login`` should use, or None when ``auth`` (the secrets' ``[auth]`` table)
    does not configure sign-in completely.

    Both of Streamlit's layouts count: the provider's keys flat in ``[auth]`` ("default"), or in a
    named table such as ``[auth.company]`` (the first complete one; Streamlit refuses names with "_")."""
    if not auth or any(not _filled(auth.get(key)) for key in SHARED_KEYS):
        return None
    if all(_filled(auth.get(key)) for key in PROVIDER_KEYS):
        return DEFAULT_PROVIDER
    for name, table in auth.items():
        if isinstance(table, Mapping) and "_" not in name and all(_filled(table.get(k)) for k in PROVIDER_KEYS):
            return str(name)
    return None


def sign_in_configured(auth: Mapping[str, object] | None) -> bool:
    return sign_in_provider(auth) is not None


def missing_keys(auth: Mapping[str, object] | None) -> list[str]:
    """The ``[auth]`` keys still to set (the flat layout's, when no named provider is complete)."""
    if sign_in_configured(auth):
        return []
    present = auth or {}
    missing = [key for key in SHARED_KEYS if not _filled(present.get(key))]
    if sign_in_provider({**present, **{key: "set" for key in SHARED_KEYS}}) is None:
        missing += [key for key in PROVIDER_KEYS if not _filled(present.get(key))]
    return missing


def refusal(address: str | None, auth: Mapping[str, object] | None) -> str | None:
    """The one sentence a server prints before it exits instead of listening on ``address``, or None
    when it may start: a loopback address, or sign-in configured."""
    if is_loopback(address) or sign_in_configured(auth):
        return None
    where = address.strip() if address and address.strip() else "every address"
    if auth:
        lacking = ", ".join(missing_keys(auth))
        return (
            f"Media Studio will not listen on {where} without sign-in: [auth] in .streamlit/secrets.toml "
            f"lacks {lacking} (see docs/deploy.md), or listen on 127.0.0.1."
        )
    return (
        f"Media Studio will not listen on {where} without sign-in: set up [auth] in .streamlit/secrets.toml "
        f"(see docs/deploy.md) or listen on 127.0.0.1."
    )


PERSON_CHARS = 200  # the ``made_by`` columns


def person(user_info: Mapping[str, object] | None) -> str | None:
    """Who made something, as stored in ``made_by``: a signed-in user's e-mail, else their name,
    else the provider's subject; None when nobody is signed in (no sign-in: one person, unnamed)."""
    if not user_info or user_info.get("is_logged_in") is not True:
        return None
    for key in ("email", "name", "sub"):
        value = user_info.get(key)
        if _filled(value):
            return str(value).strip()[:PERSON_CHARS]
    return None


def _filled(value: object) -> bool:
    return isinstance(value, str) and value.strip() != ""
