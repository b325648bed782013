"""Create video: a structured prompt, settings, an optional first frame, then a background job."""

import streamlit as st

import ui
from core.errors import StudioError
from core.videos import create
from core.videos.kinds import BackendKey
from core.videos.plan import ASPECT_RATIOS, DURATIONS, RESOLUTIONS, VARIATION_COUNTS, OutputPlan, estimate_cost
from core.videos.prompt import VideoPrompt
from ui.progress import progress_panel
from ui.sidebar import service_picker

ui.page_header("Create video", "Describe the shot, pick the format, and the studio makes it in the background.")
studio = ui.studio()
backend = service_picker(
    "Video back-end",
    "Back-end",
    create.backend_statuses(studio),
    create.default_backend(studio),
    key="video_backend",
    offline_note="**Offline preview** — an animatic of your prompt (scene cards, palette, camera move) rendered "
    "on this computer. It is not an AI video model.",
    others="Other back-ends",
)

recall = st.session_state.pop("recall", None)  # "Recall" in My Videos fills the form
if recall:
    for name in ("scene", "visual", "motion", "extra"):
        st.session_state[f"vp_{name}"] = recall.get(name, "")
    for name, key in (
        ("aspect", "video_aspect"),
        ("resolution", "video_resolution"),
        ("seconds", "video_seconds"),
        ("preset", "video_preset"),
    ):
        if recall.get(name) is not None:
            st.session_state[key] = recall[name]
    st.session_state.pop("prompt_text", None)  # the recalled fields compose the prompt afresh
    st.toast("Prompt and settings recalled from My Videos.", icon=":material/replay:")

prompt_col, settings_col = st.columns([3, 2], gap="large")
with prompt_col:
    scene = st.text_area(
        "Scene context", key="vp_scene", height=80, placeholder="A lighthouse on a cliff at dusk, waves breaking below"
    )
    visual = st.text_area(
        "Visual details",
        key="vp_visual",
        height=80,
        placeholder="Golden hour light, teal sea, soft mist, 35 mm film look",
    )
    motion = st.text_area(
        "Motion (camera and subject)", key="vp_motion", height=68, placeholder="Slow dolly in; gulls circle the lamp"
    )
    extra = st.text_area("Anything else (optional)", key="vp_extra", height=68)

with settings_col:
    models = create.model_choices(studio, backend)
    model = st.selectbox("Model", models, key="video_model") if len(models) > 1 else models[0]
    aspect = st.segmented_control("Aspect ratio", ASPECT_RATIOS, default="16:9", key="video_aspect") or "16:9"
    resolution = st.segmented_control("Resolution", RESOLUTIONS, default="720p", key="video_resolution") or "720p"
    seconds = (
        st.segmented_control("Duration", DURATIONS, default=4, format_func=lambda s: f"{s} s", key="video_seconds") or 4
    )
    count = st.segmented_control("Variations", VARIATION_COUNTS, default=1, key="video_count") or 1
    presets = create.preset_names(studio)
    preset = st.selectbox("Style preset", presets, key="video_preset")
    reference = st.file_uploader(
        "Reference image (first frame, optional)",
        type=["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff"],
        key="video_reference",
    )

parts = VideoPrompt(scene=scene, visual=visual, motion=motion, extra=extra)
settings = create.VideoSettings(
    aspect=aspect, resolution=resolution, seconds=seconds, variations=count, preset=preset, backend=backend, model=model
)
composed = create.compose_prompt(studio, parts, preset)
# The prompt box follows the fields until the user edits it; from then on their text is kept.
draft = st.session_state
if draft.get("prompt_text") is None or draft.get("prompt_text") == draft.get("prompt_base"):
    draft["prompt_text"] = composed
draft["prompt_base"] = composed if draft["prompt_text"] == composed else draft.get("prompt_base")


def _recompose(text: str) -> None:
    st.session_state["prompt_text"] = st.session_state["prompt_base"] = text


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

with settings_col:
    plan: OutputPlan | None = None
    try:
        plan = create.plan(settings)
    except StudioError as exc:
        st.warning(exc.message)
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
    try:
        generation_id = create.create_generation(
            studio,
            parts,
            settings,
            prompt_text=edited,
            reference=(reference.name, reference.getvalue()) if reference else None,
        )
    except StudioError as exc:
        st.error(exc.message, icon=":material/error:")
    else:
        st.toast(f"Set #{generation_id} queued — watch it below or in My Videos.", icon=":material/movie:")

progress_panel()

with st.expander("Save these words as a style preset"):
    name = st.text_input("Preset name", key="preset_name")
    words = st.text_input("Words it adds to the prompt", key="preset_words", placeholder="e.g. pastel watercolour")
    if st.button("Save preset", key="preset_save"):
        try:
            create.save_preset(studio, name, words)
        except StudioError as exc:
            st.error(exc.message)
        else:
            st.toast(f"Preset “{name.strip()}” saved.")
