"""Caption Studio's controls (template, trigger word, words to use or avoid, target length, output
language), the live character counter, and the side-by-side view of compared providers."""

from __future__ import annotations

import streamlit as st

import ui
from core.captions import service as captions
from core.captions.compare import ComparedImage, keep_caption
from core.captions.controls import DEFAULT_LANGUAGE, LANGUAGES, PLACEHOLDERS, CaptionControls, counter, parse_words
from core.errors import StudioError


def controls_panel(follows_instructions: bool, provider_label: str) -> CaptionControls:
    """The expander of controls; what it returns goes with Generate."""
    with st.expander("Caption controls", icon=":material/tune:"):
        template = st.text_input(
            "Template",
            value="{caption}",
            key="cc_template",
            help="Shapes each saved caption: "
            + ", ".join(PLACEHOLDERS)
            + ". {subject} is what the offline model sees.",
        )
        prefix = st.text_input("Trigger word or prefix", key="cc_prefix", placeholder="e.g. ohwx")
        include_col, avoid_col = st.columns(2)
        include = include_col.text_input("Words to use", key="cc_include", placeholder="e.g. kayak, dawn")
        avoid = avoid_col.text_input("Words to avoid", key="cc_avoid", placeholder="e.g. image, photo")
        length_col, language_col = st.columns(2)
        target = length_col.number_input(
            "Target length (characters, 0 for none)", min_value=0, max_value=2000, value=0, step=10, key="cc_target"
        )
        language = language_col.selectbox("Output language", LANGUAGES, key="cc_language")
        if not follows_instructions and (include or avoid or target or language != DEFAULT_LANGUAGE):
            st.caption(
                f"{ui.plain(provider_label)} cannot follow instructions: words and length are only checked "
                "afterwards, and it writes English only."
            )
    return CaptionControls(
        template=template or "{caption}",
        prefix=prefix,
        include=parse_words(include),
        avoid=parse_words(avoid),
        target_chars=int(target) or None,
        language=language or DEFAULT_LANGUAGE,
    )


def length_counter(text: str, style: str, target: int | None) -> None:
    """The character count under a caption; past the guide it turns orange (a soft warning: nothing is cut)."""
    words, over = counter(text, style, target)
    st.caption(f":orange[:material/warning: {words}]" if over else words)


def notes(outcome: captions.CaptionOutcome) -> None:
    for note in outcome.notes:
        st.caption(f":orange[:material/info: {ui.plain(note)}]")


def compared_results(compared: list[ComparedImage], style: str) -> None:
    """One row per image, one column per provider, "Keep this one" under each caption."""
    kept: dict[str, int] = st.session_state.setdefault("compare_kept", {})
    for image in compared:
        with st.container(border=True):
            st.markdown(f"**{ui.plain(image.name)}**")
            columns = st.columns(len(image.outcomes))
            for column, outcome in zip(columns, image.outcomes):
                with column:
                    st.caption(ui.plain(ui.provider_label(outcome.provider) if outcome.provider else ""))
                    if not outcome.ok or outcome.caption_id is None:
                        st.error(ui.plain(outcome.error or ""), icon=":material/broken_image:")
                        continue
                    st.code(outcome.text or "", language=None, wrap_lines=True)
                    length_counter(outcome.text or "", style, None)
                    notes(outcome)
                    if kept.get(image.name) == outcome.caption_id:
                        st.success("Kept", icon=":material/check:")
                    elif st.button("Keep this one", key=f"keep-{outcome.caption_id}", icon=":material/done:"):
                        try:
                            keep_caption(ui.studio(), outcome.caption_id)
                        except StudioError as exc:
                            st.error(ui.plain(exc.message))
                        else:
                            kept[image.name] = outcome.caption_id
                            st.rerun()
