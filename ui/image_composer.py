"""Create video's "Type: Image" controls: the image back-end picker, the model, aspect, how many
images, quality, format and style preset, then the price per image, the estimate and Create image.
The words (scene, visual details, …) and the prompt box are the page's own, shared with videos."""

from __future__ import annotations

import streamlit as st

import ui
from core.errors import StudioError
from core.videos import create, image_sets
from core.videos.create import VideoSettings
from core.videos.kinds import BackendKey
from core.videos.plan import ASPECT_RATIOS
from ui.sidebar import service_picker

FORMAT_LABELS = {"png": "PNG", "jpeg": "JPEG", "webp": "WebP"}


def backend_picker(studio) -> str:
    return service_picker(
        "Image back-end",
        "Back-end",
        image_sets.backend_statuses(studio),
        image_sets.default_backend(studio),
        key="image_backend",
        offline_note="**Offline still** — one frame of the animatic renderer (palette, scene, preset) drawn on "
        "this computer. It is not an AI image model.",
        others="Other back-ends",
    )


def image_settings(studio, backend: str) -> tuple[str, str, int, str, str, str]:
    """Draw the image controls; return (model, aspect, count, quality, output format, preset)."""
    state = st.session_state
    models = image_sets.model_choices(studio, backend)
    if state.get("image_model") not in models:
        state.pop("image_model", None)
    model = st.selectbox("Model", models, key="image_model") if len(models) > 1 else models[0]
    aspect = st.segmented_control("Aspect ratio", ASPECT_RATIOS, key="video_aspect") or "16:9"
    if state.get("video_count") not in image_sets.IMAGE_COUNTS:
        state["video_count"] = image_sets.IMAGE_COUNTS[0]
    count = st.segmented_control("Images", image_sets.IMAGE_COUNTS, key="video_count") or 1
    offline = backend == BackendKey.OFFLINE
    quality, output_format = "auto", "png"
    if not offline:
        state.setdefault("image_quality", "auto")
        state.setdefault("image_format", "png")
        quality = st.segmented_control("Quality", image_sets.QUALITIES, key="image_quality") or "auto"
        output_format = (
            st.segmented_control(
                "Format", image_sets.FORMATS, format_func=FORMAT_LABELS.__getitem__, key="image_format"
            )
            or "png"
        )
    presets = create.preset_names(studio)
    if state.get("video_preset") not in presets:
        state["video_preset"] = presets[0]
    preset = st.selectbox("Style preset", presets, key="video_preset")
    return model, aspect, count, quality, output_format, preset


def cost_and_create(studio, settings: VideoSettings) -> bool:
    """The size note, the price per image (editable), the estimate, and the Create image button."""
    plan = None
    try:
        plan = image_sets.plan(settings.aspect, settings.backend)
    except StudioError as exc:
        st.warning(ui.plain(exc.message))
    if plan is not None:
        st.caption(f"Output {plan.width}×{plan.height}" + (f" — {plan.note}" if plan.note else ""))
    price = 0.0
    if settings.backend != BackendKey.OFFLINE:
        prices = image_sets.image_prices(studio)
        price = st.number_input(
            f"Price per image for {settings.model} (USD)",
            min_value=0.0,
            value=float(prices.get(settings.model, 0.0)),
            step=0.01,
            format="%.3f",
            key=f"image-price-{settings.model}",
        )
        if price != prices.get(settings.model):
            image_sets.set_image_price(studio, settings.model, price)
    cost = image_sets.estimate_cost(price, settings.variations)
    st.metric("Estimated cost", f"${cost:.2f}", help="Price per image × images.")
    st.caption(f"Spent so far: ${create.spend_so_far(studio):.2f}")
    return st.button(
        "Create image", type="primary", icon=":material/image:", use_container_width=True, disabled=plan is None
    )
