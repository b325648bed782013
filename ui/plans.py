"""Settings → "Options depend on your plan": one plan per video back-end, and Custom's own choices.

What is chosen here is exactly what Create video offers (``core.videos.offers``)."""

from __future__ import annotations

import streamlit as st

import ui
from core.errors import StudioError
from core.studio import Studio
from core.videos import create, offers
from core.videos.plan import DURATIONS, RESOLUTIONS, VARIATION_COUNTS


def plan_section(studio: Studio) -> None:
    """A plan picker per video back-end, with what the plan offers spelled out."""
    st.subheader("Options depend on your plan")
    st.caption(
        "Create video offers only what your plan allows: models, resolutions, durations and how many "
        "variations at a time. Pick the plan of your account, or Custom to choose each option."
    )
    for status in create.backend_statuses(studio):
        key = status.key
        if key not in offers.PLANS:
            continue
        names = offers.plan_names(key)
        current = offers.offer(studio, key)
        with st.container(border=True, key=f"plan-{key}"):
            st.markdown(f"**{ui.plain(status.label)}**")
            if len(names) == 1:
                st.caption(ui.plain(current.note))
                continue
            chosen = st.selectbox(
                "Plan",
                names,
                index=names.index(current.plan) if current.plan in names else 0,
                key=f"plan-pick-{key}",
            )
            base = current if chosen == current.plan else _preview(key, chosen, current)
            options: dict[str, list[object]] | None = None
            if chosen == offers.CUSTOM:
                widest = offers.built_in(key, names[-2])
                options = {
                    "models": list(st.multiselect("Models", widest.models, base.models, key=f"plan-models-{key}")),
                    "resolutions": list(
                        st.multiselect("Resolutions", RESOLUTIONS, base.resolutions, key=f"plan-res-{key}")
                    ),
                    "durations": list(
                        st.multiselect(
                            "Durations",
                            DURATIONS,
                            base.durations,
                            format_func=lambda s: f"{s} s",
                            key=f"plan-dur-{key}",
                        )
                    ),
                    "variation_counts": list(
                        st.multiselect("Variations", VARIATION_COUNTS, base.variation_counts, key=f"plan-n-{key}")
                    ),
                }
            else:
                st.caption(ui.plain(base.note))
            if st.button("Use this plan", key=f"plan-save-{key}", icon=":material/check:"):
                try:
                    kept = offers.choose_plan(studio, key, chosen, options)
                except StudioError as exc:
                    st.error(ui.plain(exc.message))
                else:
                    st.success(ui.plain(f"Create video now offers the {kept.plan} plan's options."))


def _seconds(value: int) -> str:
    return f"{value} s"


def _preview(backend: str, plan: str, current: offers.Offer) -> offers.Offer:
    if plan == offers.CUSTOM:
        return current  # start a custom plan from what is offered now
    return offers.built_in(backend, plan)
