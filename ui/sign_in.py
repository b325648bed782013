"""Sign-in through Streamlit's ``st.login``, with the OpenID Connect provider set in ``[auth]`` of
Streamlit's secrets: the screen a browser that has not signed in sees instead of the studio, and
the sidebar's "Signed in as …" with Sign out. Without ``[auth]`` none of it shows (``core/access.py``)."""

from __future__ import annotations

import streamlit as st

import ui
from core import access


def provider() -> str | None:
    """The provider ``st.login`` uses, or None when sign-in is not configured."""
    return access.sign_in_provider(access.auth_settings())


def signed_out() -> bool:
    """True when sign-in is configured and this browser has not signed in."""
    return provider() is not None and st.user.get("is_logged_in") is not True


def current_person() -> str | None:
    """Who is making things now, for ``made_by`` (``core.access.person``); None without sign-in."""
    if provider() is None:
        return None
    return access.person(st.user.to_dict())


def screen() -> None:
    """All a signed-out browser sees: the studio's name, one sentence and Sign in."""
    st.title("Media Studio")
    st.write("This studio is shared: sign in to see and make anything.")
    chosen = provider()
    if st.button("Sign in", type="primary", icon=":material/login:") and chosen:
        st.login(chosen)


def signed_in_sidebar() -> None:
    """Who is signed in, and Sign out, at the top of the sidebar; nothing without sign-in."""
    if provider() is None or st.user.get("is_logged_in") is not True:
        return
    who = st.user.get("name") or st.user.get("email") or st.user.get("sub") or "someone"
    with st.sidebar:
        st.caption(f"Signed in as **{ui.plain(str(who))}**")
        if st.button("Sign out", icon=":material/logout:", key="sign-out"):
            st.logout()
