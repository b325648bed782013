"""The generations half of the History page: a filterable table and its CSV export."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from core.videos import library as videos
from core.videos.kinds import VariationStatus
from ui.filters import generation_filters


def generations_history() -> None:
    studio = ui.studio()
    flt = generation_filters("gen")
    rows = videos.generation_rows(studio, flt, limit=1000)
    summary, export = st.columns([5, 2], vertical_alignment="bottom")
    summary.markdown(
        f"**{len(rows)}** generation{'s' if len(rows) != 1 else ''} match"
        + (" (showing the newest 1,000)." if len(rows) == 1000 else ".")
    )
    ui.csv_download(
        export, "generations", lambda: videos.export_generations_csv(studio, flt), disabled=not rows, key="gen_export"
    )
    if not rows:
        st.info("No generations yet. Make one on the Create video page.", icon=":material/movie:")
        return
    frame = pd.DataFrame(rows, columns=videos.GENERATION_EXPORT_COLUMNS)
    frame["backend"] = frame["backend"].map(ui.video_backend_label)
    st.dataframe(
        frame[
            [
                "generation_id",
                "created_at",
                "status",
                "backend",
                "model",
                "seconds",
                "size",
                "variations",
                VariationStatus.COMPLETED,  # the columns counting variations in each state
                VariationStatus.FAILED,
                "estimated_cost_usd",
                "cost_usd",
                "prompt",
                "errors",
            ]
        ],
        hide_index=True,
        use_container_width=True,
        column_config={
            "generation_id": st.column_config.NumberColumn("Set", format="#%d"),
            "created_at": st.column_config.TextColumn("Created (UTC)"),
            "status": "Status",
            "backend": "Back-end",
            "model": "Model",
            "seconds": "Seconds",
            "size": "Size",
            "variations": "Variations",
            VariationStatus.COMPLETED: "Done",
            VariationStatus.FAILED: "Failed",
            "errors": "Errors",
            "estimated_cost_usd": st.column_config.NumberColumn("Estimate", format="$%.2f"),
            "cost_usd": st.column_config.NumberColumn("Cost", format="$%.2f"),
            "prompt": st.column_config.TextColumn("Prompt", width="large"),
        },
    )
