"""Caption Studio: upload images, pick a style and a provider, get captions saved to History.

"Caption" on an image in the Library hands its still over (``caption_handoff`` in the session:
a file name and the bytes); it is captioned with the uploads until removed."""

from typing import Any

import streamlit as st

import ui
from core.captions import service as captions
from core.captions.compare import compare_providers
from core.captions.providers.base import certainty, follows_instructions, needs_checking
from core.captions.styles import CUSTOM, STYLES
from core.errors import StudioError
from core.images import MAX_BYTES
from ui.caption_controls import compared_results, controls_panel, length_counter, notes
from ui.sidebar import service_picker
from ui.sign_in import current_person

ACCEPTED = ["jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff"]
# Streamlit 1.67 has no copy-button widget; st.code has one that shows only on hover: show it always, labelled.
COPY_BUTTON_VISIBLE = """<style>
[data-testid="stCode"] div:has([data-testid="stElementToolbarButton"]),
[data-testid="stCode"] [data-testid="stElementToolbarButton"] * {
  visibility: visible !important; opacity: 1 !important;
}
[data-testid="stCode"] button[aria-label="Copy to clipboard"]::after { content: "Copy"; margin-left: 0.25rem; }
[data-testid="stCode"] pre { padding-right: 6rem; }
</style>"""

ui.page_header("Caption Studio", "Describe your images with a multimodal model. Every caption is saved to History.")
studio = ui.studio()
provider_key = service_picker(
    "Caption provider",
    "Provider",
    ui.statuses(),
    ui.default_provider(),
    key="provider",
    offline_note="**Offline captioner** — runs on this computer with no account. It is not a language model: "
    "it names what an ImageNet classifier, a face detector and a text reader find (it cannot describe actions "
    "or settings, nor follow instructions), and each card shows how sure it is.",
    others="Other providers",
)

left, right = st.columns([3, 2], gap="large")
with left:
    files = st.file_uploader(
        "Images",
        type=ACCEPTED,
        accept_multiple_files=True,
        key=f"uploads-{st.session_state.get('uploader_round', 0)}",
        help=f"JPEG, PNG, WebP, GIF (first frame), BMP or TIFF, up to {MAX_BYTES // 2**20} MB each.",
    )
    handed = st.session_state.get("caption_handoff")  # (name, bytes) from the Library's "Caption"
    if handed:
        thumb_col, text_col = st.columns([1, 4], vertical_alignment="center")
        thumb_col.image(handed[1], width=96)
        text_col.caption(f"From your Library: {ui.plain(handed[0])}")
        if text_col.button("Remove", key="handoff-remove", icon=":material/close:"):
            st.session_state.pop("caption_handoff", None)
            st.rerun()
    chosen: list[Any] = [*(files or []), *([captions.Upload(*handed)] if handed else [])]
with right:
    style = st.selectbox("Caption style", list(STYLES), format_func=lambda k: STYLES[k].label, key="style")
    prompt = st.text_area(
        "Prompt" if style == CUSTOM else "Extra instructions (optional)",
        key="prompt",
        height=100,
        max_chars=4000,
        placeholder="e.g. Mention the brand on the mug" if style != CUSTOM else "What should the caption say?",
    )
    if prompt.strip() and not follows_instructions(ui.provider_for(provider_key)):
        ignored = "this prompt and writes its detailed description" if style == CUSTOM else "this box"
        st.caption(f"The offline captioner cannot follow instructions: it ignores {ignored}.")
    chosen_provider = ui.provider_for(provider_key)
    controls = controls_panel(follows_instructions(chosen_provider), chosen_provider.label)
    usable = [s for s in ui.statuses() if s.configured]
    comparing = st.toggle(
        "Compare providers",
        key="compare_mode",
        disabled=len(usable) < 2,
        help="Caption the same images with two or three providers side by side, then keep the best caption "
        "of each image; the others stay in History as its versions."
        + ("" if len(usable) >= 2 else " Needs a second configured provider (Settings)."),
    )
    rivals: list[str] = []
    if comparing:
        rivals = st.multiselect(
            "Providers to compare",
            [s.key for s in usable],
            default=[s.key for s in usable][:2],
            format_func=ui.provider_label,
            max_selections=3,
            key="compare_providers",
        )
    generate = st.button(
        "Generate caption",
        type="primary",
        icon=":material/auto_awesome:",
        disabled=not chosen,
        use_container_width=True,
    )
    again_col, clear_col = st.columns(2)
    again = again_col.button(
        "Caption all again",
        icon=":material/refresh:",
        disabled=not chosen,
        use_container_width=True,
        help="Generate skips images already captioned with these settings; this captions every one again.",
    )
    if clear_col.button("Clear all", icon=":material/clear_all:", use_container_width=True):
        st.session_state["uploader_round"] = st.session_state.get("uploader_round", 0) + 1
        for name in ("outcomes", "outcome_keys", "captioned", "caption_handoff", "compared", "compare_kept"):
            st.session_state.pop(name, None)
        st.rerun()

if (generate or again) and chosen and comparing:
    uploads = [f if isinstance(f, captions.Upload) else captions.Upload(f.name, f.getvalue()) for f in chosen]
    bar = st.progress(0.0, text="Comparing…")

    def compare_progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Captioned {done} of {total}")

    try:
        st.session_state["compared"] = compare_providers(
            studio,
            uploads,
            style,
            prompt,
            [ui.provider_for(key) for key in rivals],
            controls,
            compare_progress,
            current_person(),
        )
        st.session_state.pop("compare_kept", None)
    except StudioError as exc:
        st.error(ui.plain(exc.message), icon=":material/error:")
    bar.empty()
elif (generate or again) and chosen:
    uploads = [f if isinstance(f, captions.Upload) else captions.Upload(f.name, f.getvalue()) for f in chosen]
    provider = ui.provider_for(provider_key)
    captioned: dict[str, captions.CaptionOutcome] = {} if again else st.session_state.setdefault("captioned", {})
    progress = st.progress(0.0, text="Captioning…")

    def on_progress(done: int, total: int, outcome: captions.CaptionOutcome) -> None:
        progress.progress(done / total, text=f"Captioned {done} of {total}: {ui.plain(outcome.name)}")

    try:
        results, new = captions.caption_new(
            studio, uploads, style, prompt, provider, captioned, on_progress, controls, current_person()
        )
    except StudioError as exc:
        st.error(ui.plain(exc.message), icon=":material/error:")
        results, new = [], 0
    progress.empty()
    st.session_state.setdefault("captioned", {}).update(results)
    st.session_state["outcome_keys"] = [key for key, _ in results]
    st.session_state["outcomes"] = [outcome for _, outcome in results]
    if results and not new:
        st.info(
            "Every image here is already captioned with these settings: nothing was added to History. "
            "Use Regenerate on a card, or Caption all again.",
            icon=":material/check_circle:",
        )


def _remember(index: int, outcome: captions.CaptionOutcome) -> None:
    """Show ``outcome`` on card ``index`` and let Generate know that image is captioned."""
    st.session_state["outcomes"][index] = outcome
    keys = st.session_state.get("outcome_keys", [])
    if outcome.ok and index < len(keys):
        st.session_state.setdefault("captioned", {})[keys[index]] = outcome


def made_by(outcome: captions.CaptionOutcome) -> str:
    """Provider · model · time, then how sure it is as a badge (never inside the caption text)."""
    line = f"{ui.plain(ui.provider_label(outcome.provider))} · {ui.plain(outcome.model or '')}"
    if outcome.latency_ms is not None:
        line += f" · {outcome.latency_ms:.0f} ms"
    if outcome.confidence is not None:
        line += f" :{'orange' if needs_checking(outcome.confidence) else 'blue'}-badge[{certainty(outcome.confidence)}]"
    if needs_checking(outcome.confidence):
        line += " :orange-badge[:material/warning: Not sure: check this one]"
    return line


def result_card(index: int, outcome: captions.CaptionOutcome) -> None:
    with st.container(border=True):
        if not outcome.ok:
            st.error(ui.plain(outcome.error or ""), icon=":material/broken_image:")
            return
        assert outcome.caption_id is not None and outcome.text is not None  # an ok outcome has both
        caption_id = outcome.caption_id
        thumb, body = st.columns([1, 3])
        if outcome.thumbnail:
            thumb.image(outcome.thumbnail, caption=ui.plain(outcome.name), use_container_width=True)
        with body:
            st.caption(made_by(outcome))  # its user parts are escaped inside; the badges are markup
            st.code(outcome.text, language=None, wrap_lines=True)  # its copy button: COPY_BUTTON_VISIBLE
            length_counter(outcome.text, style, controls.target_chars)
            notes(outcome)
            edit_col, regen_col = st.columns(2)
            with edit_col.popover("Edit", icon=":material/edit:", use_container_width=True):
                new_text = st.text_area("Caption", outcome.text, key=f"edit-{outcome.caption_id}", height=150)
                length_counter(new_text, style, controls.target_chars)  # counted, never cut
                if st.button("Save", key=f"save-{outcome.caption_id}", type="primary"):
                    try:
                        captions.edit_caption(studio, caption_id, new_text)
                    except StudioError as exc:
                        st.error(ui.plain(exc.message))
                    else:
                        _remember(index, captions.CaptionOutcome(**{**outcome.__dict__, "text": new_text.strip()}))
                        st.rerun()
            if regen_col.button(
                "Regenerate", key=f"regen-{outcome.caption_id}", icon=":material/refresh:", use_container_width=True
            ):
                with st.spinner("Captioning again…"):
                    try:
                        fresh = captions.regenerate(studio, caption_id, ui.provider_for(provider_key), current_person())
                    except StudioError as exc:
                        fresh = captions.CaptionOutcome(name=outcome.name, error=exc.message)
                _remember(index, fresh if fresh.ok else outcome)
                if not fresh.ok:
                    st.error(ui.plain(fresh.error or ""))
                else:
                    st.rerun()


outcomes = st.session_state.get("outcomes", [])
compared = st.session_state.get("compared") if comparing else None
if compared:
    st.subheader(f"Compared — {len(compared)} image{'s' if len(compared) != 1 else ''}")
    st.html(COPY_BUTTON_VISIBLE)
    compared_results(compared, style)
elif outcomes:
    ok = sum(o.ok for o in outcomes)
    st.subheader(f"Results — {ok} of {len(outcomes)} captioned")
    st.html(COPY_BUTTON_VISIBLE)
    for i, outcome in enumerate(outcomes):
        result_card(i, outcome)
elif not chosen:
    st.info("Upload one or more images to begin.", icon=":material/upload:")
