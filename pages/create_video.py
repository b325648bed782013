"""Create video: a structured prompt, settings, an optional first frame, then a background job.

The form is a draft kept in the database (``create.load_draft``/``save_draft``): leaving the page,
a browser refresh or a server restart gives it back as it was left. After Create every field stays
(a creator iterates on the same shot); "New draft" empties the words and the reference image.
"""

from dataclasses import replace

import streamlit as st

import ui
from core.errors import StudioError
from core.videos import create, image_sets, offers
from core.videos import library as videos
from core.videos.kinds import BackendKey, MediaKind
from core.videos.plan import ASPECT_RATIOS, DURATIONS, RESOLUTIONS, VARIATION_COUNTS, OutputPlan, estimate_cost
from core.videos.prompt import VideoPrompt
from ui import describe as describe_ui
from ui import image_composer
from ui.grid import grid_styles, video_card
from ui.progress import progress_panel
from ui.sidebar import service_picker
from ui.sign_in import current_person

FIELDS = ("scene", "visual", "motion", "extra")
KINDS = tuple(k.value for k in MediaKind)  # Type: Video or Image (plain strings: widget state)
SETTING_KEYS = {  # VideoSettings field -> the widget that shows it
    "aspect": "video_aspect",
    "resolution": "video_resolution",
    "seconds": "video_seconds",
    "variations": "video_count",
    "preset": "video_preset",
    "model": "video_model",
    "backend": "video_backend",
    "kind": "create_type",  # Type: Video or Image, then an image set's own options
    "quality": "image_quality",
    "output_format": "image_format",
}
CHOICES = {"aspect": ASPECT_RATIOS, "resolution": RESOLUTIONS, "seconds": DURATIONS, "variations": VARIATION_COUNTS}
CHOICES |= {"kind": KINDS, "quality": image_sets.QUALITIES, "output_format": image_sets.FORMATS}
state = st.session_state

if state.pop("play_created", False) and state.get("lightbox"):
    st.switch_page("pages/my_videos.py")  # Play on the new set's card opens it in My Videos' lightbox

ui.page_header("Create video", "Describe the shot, pick the format, and the studio makes it in the background.")
studio = ui.studio()
statuses = create.backend_statuses(studio)
usable_backends = [s.key for s in statuses if s.configured]


def _set_setting(name: str, value: object) -> None:
    """Show ``value`` in its widget when the widget can show it (an imported set may be 4:3 or 7 s long)."""
    if value is None or (name in CHOICES and value not in CHOICES[name]):
        return
    if name != "backend" or value in usable_backends:  # the model and preset are checked against their lists below
        state[SETTING_KEYS[name]] = value


def _apply_draft(draft: create.Draft) -> None:
    """Put a draft into the form; only before its widgets are drawn in this run."""
    for name in FIELDS:
        state[f"vp_{name}"] = getattr(draft.parts, name)
    for name in SETTING_KEYS:
        _set_setting(name, getattr(draft.settings, name))
    state["prompt_text"], state["prompt_base"] = draft.prompt_text, None  # None: it follows the fields
    state["draft_reference"] = draft.reference


if "vp_scene" not in state:  # first run in this session, or back from another page: widgets have no state
    state["draft_stored"] = create.load_draft(studio)
    if state["draft_stored"] is not None:
        _apply_draft(state["draft_stored"])

recall = state.pop("recall", None)  # "Recall" in My Videos fills the form
if recall:
    for name in FIELDS:
        state[f"vp_{name}"] = recall.get(name, "")
    for name in SETTING_KEYS:
        _set_setting(name, recall.get(name))
    sha, file_name = recall.get("reference_sha256"), recall.get("reference_name")
    state["draft_reference"] = create.DraftReference(sha, file_name) if sha and file_name else None
    state.pop("prompt_text", None)  # the recalled fields compose the prompt afresh
    st.toast("Prompt and settings recalled from the Library.", icon=":material/replay:")

defaults = create.VideoSettings()
for name in ("aspect", "resolution", "seconds", "variations"):
    state.setdefault(SETTING_KEYS[name], getattr(defaults, name))
is_image = state.get("create_type") == MediaKind.IMAGE  # the Type control, drawn below, as last left

backend = (
    image_composer.backend_picker(studio)
    if is_image
    else service_picker(
        "Video back-end",
        "Back-end",
        statuses,
        create.default_backend(studio),
        key="video_backend",
        offline_note="**Offline preview** — an animatic of your prompt (scene cards, palette, camera move) rendered "
        "on this computer. It is not an AI video model.",
        others="Other back-ends",
    )
)


def _take_reference(key: str) -> None:
    """The uploader changed: keep the new image's bytes with the draft, or drop it when removed."""
    upload = state.get(key)
    state["draft_reference"] = create.keep_reference(ui.studio(), upload.name, upload.getvalue()) if upload else None


def _drop_reference() -> None:
    state["draft_reference"] = None


def _new_draft() -> None:
    """Empty words and reference image; the format and back-end stay as they are."""
    for name in FIELDS:
        state[f"vp_{name}"] = ""
    state.pop("prompt_text", None)
    state["draft_reference"] = None
    state["reference_round"] = state.get("reference_round", 0) + 1  # a fresh, empty uploader


# The theme's placeholder is its bright text colour at 70%: dim it so an example never reads as typed text.
st.html("<style>[data-testid='stMain'] textarea::placeholder{color:rgba(232,232,240,0.38);}</style>")
prompt_col, settings_col = st.columns([3, 2], gap="large")
with prompt_col:
    scene = st.text_area(
        "Scene context",
        key="vp_scene",
        height=80,
        placeholder="e.g. A lighthouse on a cliff at dusk, waves breaking below",
    )
    visual = st.text_area(
        "Visual details",
        key="vp_visual",
        height=80,
        placeholder="e.g. Golden hour light, teal sea, soft mist, 35 mm film look",
    )
    motion = st.text_area(
        "Motion (camera and subject)",
        key="vp_motion",
        height=68,
        placeholder="e.g. Slow dolly in; gulls circle the lamp",
    )
    extra = st.text_area("Anything else (optional)", key="vp_extra", height=68)
    describe_ui.improve_panel()

with settings_col:
    st.segmented_control("Type", KINDS, format_func=lambda k: MediaKind(k).label, key="create_type")
    if not is_image:
        quality, output_format = state.get("image_quality") or "auto", state.get("image_format") or "png"
        offer = offers.offer(studio, backend, create.model_choices(studio, backend))  # options depend on the plan
        models = list(offer.models)
        if state.get("video_model") not in models:
            state.pop("video_model", None)
        model = st.selectbox("Model", models, key="video_model") if len(models) > 1 else models[0]
        resolutions = offer.resolutions_for(model)
        for widget, allowed in (
            ("video_resolution", resolutions),
            ("video_seconds", offer.durations),
            ("video_count", offer.variation_counts),
        ):
            # Set every run: a value the plan lacks falls back, and a control hidden while Type was
            # Image shows its value again when it comes back (the browser forgets it meanwhile).
            state[widget] = state[widget] if state.get(widget) in allowed else allowed[0]
        aspect = st.segmented_control("Aspect ratio", ASPECT_RATIOS, key="video_aspect") or "16:9"
        resolution = st.segmented_control("Resolution", resolutions, key="video_resolution") or resolutions[0]
        seconds = (
            st.segmented_control("Duration", offer.durations, format_func=lambda s: f"{s} s", key="video_seconds")
            or offer.durations[0]
        )
        count = (
            st.segmented_control("Variations", offer.variation_counts, key="video_count") or offer.variation_counts[0]
        )
        if len(offers.plan_names(backend)) > 1:
            st.caption(f"Options of your {ui.plain(offer.plan)} plan; change it in Settings.")
        presets = create.preset_names(studio)
        if state.get("video_preset") not in presets:  # a preset deleted since the draft was saved
            state["video_preset"] = presets[0]
        preset = st.selectbox("Style preset", presets, key="video_preset")
        reference_key = f"video_reference_{state.get('reference_round', 0)}"
        upload = st.file_uploader(
            "Reference image (first frame, optional)",
            type=list(ext.lstrip(".") for ext in create.REFERENCE_EXTENSIONS),
            key=reference_key,
            on_change=_take_reference,
            args=(reference_key,),
        )
        kept: create.DraftReference | None = state.get("draft_reference")
        kept_bytes = create.reference_bytes(studio, kept) if kept and upload is None else None
        if upload is None and kept is not None:
            image_col, text_col = st.columns([1, 3], vertical_alignment="center")
            if kept_bytes is not None:
                image_col.image(kept_bytes, width=96)
                text_col.caption(f"Reference image kept from your draft: {ui.plain(kept.name)}")
            else:
                text_col.caption(f"The kept reference image “{ui.plain(kept.name)}” is no longer stored.")
            text_col.button("Remove", key="reference_remove", icon=":material/close:", on_click=_drop_reference)
        shown = (kept.name, kept_bytes) if kept is not None and kept_bytes is not None else None
        describe_ui.describe_button((upload.name, upload.getvalue()) if upload is not None else shown)
    else:
        model, aspect, count, quality, output_format, preset = image_composer.image_settings(studio, backend)
        resolution, seconds = state.get("video_resolution") or "720p", state.get("video_seconds") or 4
        upload, kept, kept_bytes = None, state.get("draft_reference"), None

parts = VideoPrompt(scene=scene, visual=visual, motion=motion, extra=extra)
settings = create.VideoSettings(
    aspect=aspect, resolution=resolution, seconds=seconds, variations=count, preset=preset, backend=backend, model=model
)
settings = replace(settings, kind=MediaKind.IMAGE if is_image else MediaKind.VIDEO, quality=quality)
settings = replace(settings, output_format=output_format)
composed = create.compose_prompt(studio, parts, preset)
# The prompt box follows the fields until the user edits it; from then on their text is kept.
if state.get("prompt_text") is None or state.get("prompt_text") == state.get("prompt_base"):
    state["prompt_text"] = composed
state["prompt_base"] = composed if state["prompt_text"] == composed else state.get("prompt_base")


def _recompose(text: str) -> None:
    state["prompt_text"] = state["prompt_base"] = text


with prompt_col:
    edited = st.text_area("Prompt sent to the back-end (edit freely)", height=130, key="prompt_text")
    if edited != composed:
        note_col, button_col = st.columns([3, 1], vertical_alignment="center")
        note_col.caption("You edited this prompt by hand: changes to the fields above no longer replace it.")
        button_col.button(
            "Recompose",
            key="prompt_recompose",
            on_click=_recompose,
            args=(composed,),
            help="Replace the prompt with one composed from the fields.",
        )
    st.button(
        "New draft",
        key="draft_new",
        type="tertiary",
        icon=":material/note_add:",
        on_click=_new_draft,
        help="Empty the fields and the reference image; the format and back-end stay.",
    )

draft = create.Draft(parts, settings, edited if edited != composed else None, kept)
if draft != state.get("draft_stored"):  # written only when something changed
    create.save_draft(studio, draft)
    state["draft_stored"] = draft

with settings_col:
    if is_image:
        create_clicked = image_composer.cost_and_create(studio, settings)
    else:
        plan: OutputPlan | None = None
        try:
            plan = create.plan(settings)
        except StudioError as exc:
            st.warning(ui.plain(exc.message))
        if plan is not None:
            st.caption(f"Output {plan.width}×{plan.height}" + (f" — {plan.note}" if plan.note else ""))
        prices = create.prices(studio)
        price = prices.get(model, 0.0)
        if backend != BackendKey.OFFLINE:
            price = st.number_input(
                f"Price per second for {model} (USD)",
                min_value=0.0,
                value=float(price),
                step=0.05,
                format="%.2f",
                key=f"price-{model}",
            )
            if price != prices.get(model):
                create.set_price(studio, model, price)
        cost = estimate_cost(price, seconds, count)
        st.metric("Estimated cost", f"${cost:.2f}", help="Price per second × duration × variations.")
        st.caption(f"Spent so far: ${create.spend_so_far(studio):.2f}")
        create_clicked = st.button(
            "Create video", type="primary", icon=":material/movie:", use_container_width=True, disabled=plan is None
        )

if create_clicked:
    if upload is not None:
        reference: tuple[str, bytes] | None = (upload.name, upload.getvalue())
    else:
        reference = (kept.name, kept_bytes) if kept is not None and kept_bytes is not None else None
    try:
        if is_image:
            generation_id = image_sets.create_image_set(
                studio, parts, settings, edited, quality, output_format, made_by=current_person()
            )
        else:
            generation_id = create.create_generation(
                studio, parts, settings, prompt_text=edited, reference=reference, made_by=current_person()
            )
    except StudioError as exc:
        st.error(ui.plain(exc.message), icon=":material/error:")
    else:
        state["created_set"] = generation_id  # the draft keeps every field: the next take starts from this one
        st.toast(f"Set #{generation_id} queued — watch it below or in the Library.", icon=":material/movie:")

progress_panel()

created = videos.generation(studio, state["created_set"]) if state.get("created_set") else None
if created is not None:
    card_col, note_col = st.columns([1, 2], vertical_alignment="center")
    with card_col:
        grid_styles()
        state["play_created"] = True  # still True on the next run only if Play was pressed (it reruns at once)
        video_card(created, key=f"created-{created.id}")
        state["play_created"] = False
    with note_col:
        st.markdown(f"**Set #{created.id}** — your latest take.")
        st.page_link("pages/my_videos.py", label="Open in the Library", icon=":material/video_library:")


def _save_preset() -> None:
    try:
        create.save_preset(ui.studio(), state.get("preset_name", ""), state.get("preset_words", ""))
    except StudioError as exc:
        state["preset_message"] = ("error", exc.message)
    else:
        state["preset_message"] = ("done", f"Preset “{state['preset_name'].strip()}” saved.")
        state["preset_name"] = state["preset_words"] = ""


def _update_preset(name: str, words_key: str) -> None:
    try:
        create.update_preset(ui.studio(), name, state.get(words_key, ""))
    except StudioError as exc:
        state["preset_message"] = ("error", exc.message)
    else:
        state["preset_message"] = ("done", f"Preset “{name}” now adds the new words.")


def _delete_preset(name: str) -> None:
    try:
        create.delete_preset(ui.studio(), name)
    except StudioError as exc:
        state["preset_message"] = ("error", exc.message)
    else:
        if state.get("video_preset") == name:
            state["video_preset"] = create.preset_names(ui.studio())[0]
        state["preset_message"] = ("done", f"Preset “{name}” deleted.")


# Saving, editing and deleting run as callbacks, before the next run draws the preset list: it is current at once.
with st.expander("Style presets"):
    message = state.pop("preset_message", None)
    if message and message[0] == "error":
        st.error(ui.plain(message[1]), icon=":material/error:")
    elif message:
        st.toast(ui.plain(message[1]), icon=":material/palette:")
    st.markdown("**Save these words as a new preset**")
    st.text_input("Preset name", key="preset_name")
    st.text_input("Words it adds to the prompt", key="preset_words", placeholder="e.g. pastel watercolour")
    st.button("Save preset", key="preset_save", on_click=_save_preset)
    mine = create.user_presets(studio)
    if mine:
        st.markdown("**Change or delete one of yours**")
        chosen = st.selectbox("Your preset", sorted(mine), key="preset_edit_name")
        words_key = f"preset_edit_words-{chosen}"
        st.text_input("Its words", value=mine[chosen], key=words_key)
        save_col, delete_col = st.columns(2)
        save_col.button("Save words", key="preset_update", on_click=_update_preset, args=(chosen, words_key))
        delete_col.button(
            "Delete preset", key="preset_delete", icon=":material/delete:", on_click=_delete_preset, args=(chosen,)
        )
