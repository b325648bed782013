"""The vision model's buttons: in Create video "Describe this image" beside the reference image and
"Improve prompt" under the fields (its before and after to accept or discard); in the lightbox
"Describe this video" with the variation's title and alt text.

All use the caption provider picked in Caption Studio (else the default one). Create video's run as
button callbacks, before the next run draws the fields, so what they write shows at once."""

from __future__ import annotations

import streamlit as st

import ui
from core.captions.providers.base import CaptionProvider
from core.errors import StudioError
from core.videos import describe
from core.videos.kinds import VariationStatus
from core.videos.library import VariationView
from core.videos.prompt import VideoPrompt

FIELDS = {"scene": "Scene context", "visual": "Visual details", "motion": "Motion"}
state = st.session_state


def vision_provider() -> CaptionProvider:
    """The caption provider picked in Caption Studio's sidebar when it is still usable, else the default."""
    usable = [s.key for s in ui.statuses() if s.configured]
    key = state.get("provider")
    return ui.provider_for(key if key in usable else ui.default_provider())


def _current() -> VideoPrompt:
    return VideoPrompt(*(state.get(f"vp_{name}", "") for name in (*FIELDS, "extra")))


def _fill(parts: VideoPrompt) -> None:
    for name in FIELDS:
        state[f"vp_{name}"] = getattr(parts, name)


def _describe(name: str, data: bytes) -> None:
    provider = vision_provider()
    try:
        with st.spinner(f"{provider.label} is looking at the image…"):
            parts = describe.describe_image(ui.studio(), data, name, provider)
    except StudioError as exc:
        state["describe_message"] = exc.message
    else:
        _fill(parts)
        state.pop("improve_pending", None)


def describe_button(reference: tuple[str, bytes] | None) -> None:
    """The button under the reference image; disabled until there is one."""
    label = vision_provider().label
    st.button(
        "Describe this image",
        key="describe_image",
        icon=":material/image_search:",
        disabled=reference is None,
        on_click=_describe,
        args=reference or ("", b""),
        help=f"Fill scene, visual details and motion from the image with {label} (the caption provider "
        "picked in Caption Studio).",
    )
    message = state.pop("describe_message", None)
    if message:
        st.error(ui.plain(message), icon=":material/error:")


def _improve() -> None:
    provider = vision_provider()
    before = _current()
    try:
        with st.spinner(f"{provider.label} is rewriting the prompt…"):
            after = describe.improve_prompt(ui.studio(), before, provider)
    except StudioError as exc:
        state["improve_message"] = exc.message
        state.pop("improve_pending", None)
    else:
        state["improve_pending"] = (before, after)


def _accept() -> None:
    pending = state.pop("improve_pending", None)
    if pending:
        _fill(pending[1])


def _discard() -> None:
    state.pop("improve_pending", None)


def improve_panel() -> None:
    """The Improve prompt button, then the before and after of the last rewrite, until accepted or discarded."""
    st.button(
        "Improve prompt",
        key="improve_prompt",
        icon=":material/auto_fix_high:",
        on_click=_improve,
        help=f"Rewrite scene, visual details and motion with {vision_provider().label}; you see both before "
        "anything changes.",
    )
    message = state.pop("improve_message", None)
    if message:
        st.error(ui.plain(message), icon=":material/error:")
    pending: tuple[VideoPrompt, VideoPrompt] | None = state.get("improve_pending")
    if not pending:
        return
    before, after = pending
    with st.container(border=True, key="improve_result"):
        st.markdown("**Improved prompt** — accept it to replace the fields, or keep yours.")
        for name, label in FIELDS.items():
            was_col, now_col = st.columns(2)
            was_col.caption(f"{label} — before")
            was_col.markdown(ui.plain(getattr(before, name)) or "—")
            now_col.caption(f"{label} — after")
            now_col.markdown(ui.plain(getattr(after, name)) or "—")
        accept_col, discard_col = st.columns(2)
        accept_col.button("Accept", key="improve_accept", type="primary", icon=":material/check:", on_click=_accept)
        discard_col.button("Discard", key="improve_discard", icon=":material/close:", on_click=_discard)


def video_text_panel(variation: VariationView) -> None:
    """The lightbox's title and alt text of this variation, and the button that writes them (the
    provider is built only on a click: opening the lightbox stays as quick as before)."""
    described = bool(variation.title or variation.alt_text)
    with st.expander("Title and alt text", expanded=described):
        if described:
            st.markdown(f"**{ui.plain(variation.title or '')}**")
            st.caption(ui.plain(variation.alt_text or ""))
        else:
            st.caption("Not described yet: the vision model can write a title and alt text from a few keyframes.")
        if st.button(
            "Describe again" if described else "Describe this video",
            key=f"lb-describe-{variation.id}",
            icon=":material/subtitles:",
            disabled=variation.status != VariationStatus.COMPLETED,
            help=f"Send {describe.KEYFRAMES} keyframes in one message to the caption provider picked in Caption "
            "Studio; the title and alt text are saved on this variation, found by search and exported with it.",
        ):
            provider = vision_provider()
            try:
                with st.spinner(f"{provider.label} is watching the keyframes…"):
                    describe.describe_video(ui.studio(), variation.id, provider)
            except StudioError as exc:
                st.error(ui.plain(exc.message), icon=":material/error:")
            else:
                st.rerun(scope="fragment")
