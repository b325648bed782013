"""The sidebar's back-end picker, shared by Caption Studio (caption providers) and Create video
(video back-ends): the usable ones as a radio, the reason under it, the offline one labelled
honestly, and the ones that are not configured with what they need."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

import ui
from core.status import ServiceStatus


def service_picker(
    title: str,
    label: str,
    statuses: Sequence[ServiceStatus],
    default_key: str,
    key: str,
    offline_note: str,
    others: str,
) -> str:
    """Draw the picker in the sidebar; return the chosen key."""
    by_key = {s.key: s for s in statuses}
    with st.sidebar:
        st.subheader(title)
        usable = [k for k, s in by_key.items() if s.configured]
        chosen = st.radio(
            label,
            usable,
            index=usable.index(default_key) if default_key in usable else 0,
            format_func=lambda k: by_key[k].label,
            key=key,
            label_visibility="collapsed",
        )
        st.caption(ui.plain(by_key[chosen].reason))
        if chosen == "offline":
            st.info(offline_note, icon=":material/wifi_off:")
        unavailable = [s for s in statuses if not s.configured]
        if unavailable:
            with st.expander(others):
                for status in unavailable:
                    st.markdown(f"**{ui.plain(status.label)}** — not configured. {ui.plain(status.reason)}")
    return chosen
