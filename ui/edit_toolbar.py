"""The lightbox's edit toolbar (Re-cut, Remix, Blend, Loop, Extend), lineage, Recall and Edit in Storyboard.

Each action queues a new variation in the same set through core.videos.edits; the job runner makes it
and the page's progress panel shows it. The source video is never changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

import ui
from core.errors import StudioError
from core.videos import edits
from core.videos import library as videos
from core.videos.kinds import BlendMode, LoopLength, LoopMode
from core.videos.operations import RemixStrength
from ui.sign_in import current_person

if TYPE_CHECKING:
    pass

SEAM_LABELS = {LoopMode.CROSSFADE: "Cross-fade the tail into the head", LoopMode.PINGPONG: "Ping-pong"}


@st.cache_data(max_entries=32, show_spinner=False)
def _storyboard(digest: str, count: int = 8) -> list[tuple[float, bytes]]:
    return edits.storyboard_frames(ui.studio(), digest, count=count)


@st.cache_data(max_entries=32, show_spinner=False)
def _keyframes(digest: str) -> list[float]:
    return edits.keyframe_times(ui.studio(), digest)


def _queued(view: videos.GenerationView, submit) -> None:
    try:
        new_id = submit()
    except StudioError as exc:
        st.error(ui.plain(exc.message), icon=":material/error:")
        return
    fresh = videos.generation(ui.studio(), view.id)
    index = next((i for i, v in enumerate(fresh.variations) if v.id == new_id), 0) if fresh else 0
    st.session_state["lightbox"] = {"generation": view.id, "index": index}
    st.toast("Queued: the new variation joins this set when it is ready.", icon=":material/schedule:")
    st.rerun()


def _sticky_pick(label: str, choices: dict[int, str], key: str) -> int | None:
    """A picker that keeps the user's choice across jobs and variations: its widget state goes
    whenever the toolbar is not drawn (a variation still being made), so the choice is kept aside."""
    options = list(choices)
    kept = st.session_state.get(f"{key}-kept")
    picked: int | None = st.selectbox(
        label, options, index=options.index(kept) if kept in options else 0, format_func=lambda k: choices[k], key=key
    )
    st.session_state[f"{key}-kept"] = picked
    return picked


def toolbar(view: videos.GenerationView, variation: videos.VariationView) -> None:
    import pandas as pd  # the storyboard and curve tables only: not on every page's import path

    digest = variation.video_sha256
    assert digest is not None  # the toolbar is drawn for finished variations only
    studio = ui.studio()
    duration = float(variation.duration_s or view.seconds)
    edit_tab, remix_tab, blend_tab, loop_tab, extend_tab = st.tabs(["Re-cut", "Remix", "Blend", "Loop", "Extend"])

    with edit_tab:
        frames = _storyboard(digest)
        columns = st.columns(len(frames) or 1)
        for column, (at, jpeg) in zip(columns, frames):
            column.image(jpeg, caption=f"{at:.1f} s", use_container_width=True)
        keyframes = _keyframes(digest)
        st.caption(
            "Keyframes at "
            + ", ".join(f"{k:.2f}" for k in keyframes[:12])
            + (" …" if len(keyframes) > 12 else "")
            + " s — cuts on keyframes are copied without re-encoding."
        )
        choices = {
            variation.id: f"This video (variation {variation.position + 1})",
            **edits.partner_choices(studio, exclude=variation.id),
        }
        key = f"segments-{variation.id}"
        if key not in st.session_state:
            st.session_state[key] = pd.DataFrame(
                [{"order": 1, "clip": choices[variation.id], "start_s": 0.0, "end_s": round(duration, 2)}]
            )
        append = _sticky_pick("Append a clip from the library", choices, "append-clip")
        if st.button("Append clip", key=f"append-go-{variation.id}", icon=":material/add:") and append is not None:
            table = st.session_state[key]
            st.session_state[key] = pd.concat(
                [
                    table,
                    pd.DataFrame([{"order": len(table) + 1, "clip": choices[append], "start_s": 0.0, "end_s": None}]),
                ],
                ignore_index=True,
            )
        edited = st.data_editor(
            st.session_state[key],
            num_rows="dynamic",
            hide_index=True,
            use_container_width=True,
            key=f"editor-{variation.id}",
            column_config={
                "order": st.column_config.NumberColumn(
                    "Order", min_value=1, step=1, help="Segments play in this order"
                ),
                "clip": st.column_config.SelectboxColumn("Clip", options=list(choices.values()), required=True),
                "start_s": st.column_config.NumberColumn("Start (s)", min_value=0.0, step=0.25, format="%.2f"),
                "end_s": st.column_config.NumberColumn("End (s)", min_value=0.0, step=0.25, format="%.2f"),
            },
        )
        st.caption(
            "Split a segment by duplicating its row with new times; delete rows to cut; change Order to "
            "reorder. An empty end means the clip's end."
        )
        if st.button("Recut", type="primary", key=f"recut-{variation.id}", icon=":material/content_cut:"):
            by_label = {label: vid for vid, label in choices.items()}
            rows = edited.dropna(subset=["clip"]).sort_values("order")
            segments = []
            for row in rows.itertuples():
                clip = by_label[row.clip]
                end = row.end_s if pd.notna(row.end_s) else videos.variation_duration(studio, clip)
                segments.append((clip, float(row.start_s or 0.0), float(end)))
            _queued(view, lambda: edits.queue_recut(studio, variation.id, segments, current_person()))

    with remix_tab:
        change = st.text_area(
            "Describe the change",
            key=f"remix-{variation.id}",
            placeholder="e.g. make it snow, and turn the lamp light green",
        )
        strength = (
            st.segmented_control(
                "Strength", list(RemixStrength), default=RemixStrength.MILD, key=f"strength-{variation.id}"
            )
            or RemixStrength.MILD
        )
        where = "the Videos API's remix" if edits.remix_is_remote(view.backend) else "the offline renderer, re-rendered"
        st.caption(f"Made with {where}.")
        if st.button("Remix", type="primary", key=f"remix-go-{variation.id}", icon=":material/auto_fix_high:"):
            _queued(view, lambda: edits.queue_remix(studio, variation.id, change, strength, current_person()))

    with blend_tab:
        partners = edits.partner_choices(studio, exclude=variation.id)
        if not partners:
            st.info("Blend needs a second finished video in the library.")
        else:
            partner = _sticky_pick("Blend with", partners, "blend-partner")
            mode = (
                st.segmented_control(
                    "Mode",
                    list(BlendMode),
                    default=BlendMode.TRANSITION,
                    format_func=str.capitalize,
                    key=f"blend-mode-{variation.id}",
                )
                or BlendMode.TRANSITION
            )
            at_s, weight, curve = None, 0.5, None
            if mode == BlendMode.TRANSITION:
                latest = max(0.1, round(duration - 1.0, 1))  # the one-second crossfade must fit inside
                at_s = st.slider(
                    "Crossfade at (s)", 0.0, latest, min(latest, round(duration / 2, 1)), 0.1, key=f"at-{variation.id}"
                )
            elif mode == BlendMode.MIX:
                weight = st.slider("Weight of the other video", 0.0, 1.0, 0.5, 0.05, key=f"weight-{variation.id}")
            else:
                points = st.data_editor(
                    pd.DataFrame({"time": [0.0, 0.5, 1.0], "weight": [0.0, 1.0, 0.0]}),
                    num_rows="dynamic",
                    hide_index=True,
                    key=f"curve-{variation.id}",
                    column_config={
                        "time": st.column_config.NumberColumn("Time (0–1)", min_value=0.0, max_value=1.0),
                        "weight": st.column_config.NumberColumn("Other's weight", min_value=0.0, max_value=1.0),
                    },
                )
                curve = sorted((float(t), float(w)) for t, w in points.dropna().itertuples(index=False))
                if len(curve) >= 2:
                    st.line_chart(pd.DataFrame({"other video's weight": edits.influence_curve(curve, 50)}), height=140)
            if st.button("Blend", type="primary", key=f"blend-go-{variation.id}", icon=":material/join:"):
                _queued(
                    view,
                    lambda: edits.queue_blend(
                        studio,
                        variation.id,
                        partner,
                        mode,
                        at_s=at_s,
                        weight=weight,
                        curve=curve,
                        made_by=current_person(),
                    ),
                )

    with loop_tab:
        start_s, end_s = st.slider(
            "Section to loop (s)", 0.0, duration, (0.0, round(duration, 2)), 0.1, key=f"loop-span-{variation.id}"
        )
        length = (
            st.segmented_control(
                "Length",
                list(LoopLength),
                default=LoopLength.NORMAL,
                format_func=str.capitalize,
                key=f"loop-length-{variation.id}",
            )
            or LoopLength.NORMAL
        )
        seam = st.radio(
            "Seam",
            list(LoopMode),
            horizontal=True,
            key=f"loop-mode-{variation.id}",
            format_func=SEAM_LABELS.get,
        )
        if st.button("Make loop", type="primary", key=f"loop-go-{variation.id}", icon=":material/all_inclusive:"):
            _queued(
                view,
                lambda: edits.queue_loop(
                    studio, variation.id, start_s, end_s, length, seam or LoopMode.CROSSFADE, current_person()
                ),
            )

    with extend_tab:
        next_words = st.text_area(
            "What happens next",
            key=f"extend-{variation.id}",
            placeholder="e.g. the fox leaps over the stream and runs into the trees",
        )
        lengths = edits.extend_seconds(view.backend)
        added = st.segmented_control(
            "Seconds to add", lengths, default=4, format_func=lambda s: f"{s} s", key=f"extend-s-{variation.id}"
        )
        how = (
            "the Videos API's extension of this video"
            if edits.extend_is_remote(view.backend)
            else "a continuation rendered on this computer from the last frame, joined to the clip"
        )
        st.caption(f"A longer variation: this video, then what you describe. Made with {how}.")
        if st.button("Extend", type="primary", key=f"extend-go-{variation.id}", icon=":material/more_time:"):
            _queued(
                view,
                lambda: edits.queue_extend(studio, variation.id, next_words, added or lengths[0], current_person()),
            )


def lineage_panel(variation: videos.VariationView, found: edits.Lineage | None) -> None:
    if found is None:
        return
    st.markdown(f"**How it was made:** {ui.plain(found.summary)}")
    for title, links in (("Made from", found.parents), ("Made from it", found.children)):
        if links:
            st.markdown(f"**{title}:**")
            for link in links:
                label = f"Set #{link.generation_id} · variation {link.position + 1} ({link.operation.label})"
                if st.button(
                    label,
                    key=f"link-{variation.id}-{link.variation_id}",
                    type="tertiary",
                    icon=":material/subdirectory_arrow_right:",
                ):
                    st.session_state["lightbox"] = {
                        "generation": link.generation_id,
                        "index": 0,
                        "variation": link.variation_id,
                    }
                    st.rerun()
    if st.button("Recall in Create video", key=f"recall-{variation.id}", icon=":material/replay:"):
        st.session_state["recall"] = edits.recall(ui.studio(), variation.id)
        st.session_state.pop("lightbox", None)
        st.switch_page("pages/create_video.py")
    if st.button("Edit in Storyboard", key=f"storyboard-{variation.id}", icon=":material/view_timeline:"):
        st.session_state["storyboard_open"] = variation.id  # its storyboard; a plain generation as one card
        st.session_state.pop("lightbox", None)
        st.switch_page("pages/storyboard.py")
