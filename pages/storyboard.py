"""Storyboard: a new video as cards on a timeline (a text prompt, an image, or a clip from the
library, each at a time), added, moved, edited and deleted here, then generated as one job.
"Edit in Storyboard" in the lightbox opens a variation's storyboard here; generating it then adds
a variation to that set."""

from collections.abc import Callable
from dataclasses import replace
from functools import partial

import streamlit as st

import ui
from core.errors import StudioError
from core.videos import create
from core.videos import operations as ops
from core.videos import storyboard as boards
from core.videos.plan import ASPECT_RATIOS
from core.videos.timeline import MAX_TOTAL_S, MIN_CARD_S, CardKind
from ui.progress import progress_panel
from ui.sign_in import current_person
from ui.storyboard import timeline

state = st.session_state
ui.page_header(
    "Storyboard",
    "Cards on a timeline: words, pictures or library clips, each until the next. Generate makes one video.",
)
studio = ui.studio()

opened = state.pop("storyboard_open", None)  # "Edit in Storyboard" in the lightbox
if opened is not None:
    try:
        state["sb_draft"] = boards.open_variation(studio, opened)
    except StudioError as exc:
        st.error(ui.plain(exc.message), icon=":material/error:")
    state["sb_rev"] = state.get("sb_rev", 0) + 1
if "sb_draft" not in state:
    state["sb_draft"], state["sb_rev"] = boards.blank(studio), 0
draft: boards.StoryboardDraft = state["sb_draft"]
rev: int = state["sb_rev"]


def save(board: ops.Storyboard, *, redraw: bool = False) -> None:
    """Keep the edited cards; ``redraw``: the cards moved, so their widgets start afresh."""
    state["sb_draft"] = replace(state["sb_draft"], board=board)
    if redraw:
        state["sb_rev"] = state.get("sb_rev", 0) + 1
        st.rerun()


def change(edit: Callable[[], ops.Storyboard]) -> None:
    """Apply a structural edit (add, move, delete), or say why it cannot be made."""
    try:
        save(edit(), redraw=True)
    except StudioError as exc:
        st.error(ui.plain(exc.message), icon=":material/error:")


# --- where the result goes, and how it is made -----------------------------------------------------------
settings = draft.settings
if draft.generation_id is not None:
    st.info(
        f"Generating adds a new variation to set #{draft.generation_id} "
        f"(made by {ui.video_backend_label(settings.backend)}).",
        icon=":material/layers:",
    )
else:
    usable = [s.key for s in create.backend_statuses(studio) if s.configured]
    left, right = st.columns(2)
    backend = left.selectbox(
        "Made by",
        usable,
        index=usable.index(settings.backend) if settings.backend in usable else 0,
        format_func=ui.video_backend_label,
        key=f"sb-{rev}-backend",
    )
    aspect = right.segmented_control("Aspect ratio", ASPECT_RATIOS, default=settings.aspect, key=f"sb-{rev}-aspect")
    if backend != settings.backend or (aspect and aspect != settings.aspect):
        model = create.model_choices(studio, backend)[0] if backend != settings.backend else settings.model
        settings = replace(settings, backend=backend, model=model, aspect=aspect or settings.aspect)
        state["sb_draft"] = draft = replace(draft, settings=settings)

board = draft.board
total = st.number_input("Total length (s)", 1, MAX_TOTAL_S, round(board.total_s), 1, key=f"sb-{rev}-total", width=200)
if total != board.total_s:
    save(boards.set_total(board, float(total)), redraw=True)
if boards.remote(settings.backend):
    st.caption(
        "On the Videos API the first card is a new video of 4, 8 or 12 s and each later card extends it by "
        "4, 8, 12, 16 or 20 s: place the cards so each lasts one of those. Only the first card can be an image."
    )
timeline(board)
try:
    board.validate(settings.backend)
except StudioError as exc:  # said now, not only when Generate is pressed
    st.caption(f":material/info: Before generating: {ui.plain(exc.message)}")

# --- the cards ---------------------------------------------------------------------------------------------
clips = boards.clip_choices(studio)
edited = board
for index, card in enumerate(board.cards):
    length = board.lengths[index]
    with st.container(border=True, key=f"sb-card-{index}"):
        st.markdown(f"**Card {index + 1} · {card.kind.label}** · {card.at_s:g}–{card.at_s + length:g} s ({length:g} s)")
        words, where = st.columns([3, 1])
        prompt = card.prompt
        if card.kind is not CardKind.CLIP:  # a clip shows itself; words would not change it
            prompt = words.text_area(
                "Words" if card.kind is CardKind.TEXT else "Words (optional)",
                card.prompt,
                key=f"sb-{rev}-{index}-prompt",
                height=80,
                placeholder="What happens in this shot",
            )
        if prompt != card.prompt:
            edited = boards.edit_card(edited, index, prompt=prompt)
        at = where.number_input(
            "Starts at (s)",
            0.0,
            max(board.total_s - MIN_CARD_S, card.at_s),  # a card past a shortened end stays where it is
            float(card.at_s),
            MIN_CARD_S,
            key=f"sb-{rev}-{index}-at",
            disabled=index == 0,
            help="The first card starts at 0 s.",
        )
        if at != card.at_s:
            change(partial(boards.move_card, edited, index, at))
        if card.kind is CardKind.IMAGE:
            upload = st.file_uploader(
                "Picture", type=["jpg", "jpeg", "png", "webp"], key=f"sb-{rev}-{index}-image", width=400
            )
            if upload is not None:
                try:
                    digest = boards.keep_image(studio, upload.name, upload.getvalue())
                except StudioError as exc:
                    st.error(ui.plain(exc.message), icon=":material/error:")
                else:
                    if digest != card.image_sha256:
                        edited = boards.edit_card(edited, index, image_sha256=digest)
            shown = boards.card_image(studio, card.image_sha256) if card.image_sha256 else None
            if shown:
                st.image(shown, width=200)
        if card.kind is CardKind.CLIP:
            if not clips:
                st.info("Clip cards show finished videos from the library; there are none yet.")
            else:
                options = list(clips)
                pick, start = st.columns([3, 1])
                chosen = pick.selectbox(
                    "Clip",
                    options,
                    index=options.index(card.variation_id) if card.variation_id in options else None,
                    format_func=lambda k: clips[k],
                    key=f"sb-{rev}-{index}-clip",
                    placeholder="Pick a clip from the library",
                )
                start_s = start.number_input(
                    "From (s)", 0.0, 600.0, float(card.start_s), 0.5, key=f"sb-{rev}-{index}-from"
                )
                if chosen != card.variation_id or start_s != card.start_s:
                    edited = boards.edit_card(edited, index, variation_id=chosen, start_s=float(start_s))
        earlier, later, delete, _ = st.columns([1, 1, 1, 3])
        if earlier.button("Earlier", key=f"sb-{rev}-{index}-earlier", icon=":material/arrow_back:", disabled=not index):
            change(partial(boards.nudge_card, edited, index, -MIN_CARD_S))
        if later.button("Later", key=f"sb-{rev}-{index}-later", icon=":material/arrow_forward:", disabled=not index):
            change(partial(boards.nudge_card, edited, index, +MIN_CARD_S))
        if delete.button("Delete", key=f"sb-{rev}-{index}-delete", icon=":material/delete:"):
            change(partial(boards.delete_card, edited, index))
if edited != board:
    save(edited)
    board = edited

add_text, add_image, add_clip, _ = st.columns([1, 1, 1, 2])
for column, kind, icon in (
    (add_text, CardKind.TEXT, ":material/notes:"),
    (add_image, CardKind.IMAGE, ":material/image:"),
    (add_clip, CardKind.CLIP, ":material/movie:"),
):
    if column.button(f"Add {kind.label.lower()} card", key=f"sb-add-{kind}", icon=icon):
        change(partial(boards.append_card, board, kind))

# --- generate ---------------------------------------------------------------------------------------------
go, fresh, _ = st.columns([1, 1, 3])
if go.button("Generate", type="primary", key="sb-generate", icon=":material/movie:"):
    try:
        generation_id, variation_id = boards.generate(studio, state["sb_draft"], current_person())
    except StudioError as exc:
        st.error(ui.plain(exc.message), icon=":material/error:")
    else:
        state["sb_draft"] = replace(state["sb_draft"], generation_id=generation_id, variation_id=variation_id)
        state["sb_made"] = generation_id
        st.toast("Queued: the storyboard is being made.", icon=":material/schedule:")
        st.rerun()
if fresh.button("New storyboard", key="sb-new", icon=":material/note_add:"):
    state["sb_draft"], state["sb_rev"] = boards.blank(studio), rev + 1
    state.pop("sb_made", None)
    st.rerun()
if state.get("sb_made") is not None:
    st.caption(f"Queued as set #{state['sb_made']}: it appears in the Library when it is ready.")
progress_panel()
