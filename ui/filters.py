"""The search-and-filter rows the pages share."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

import ui
from core import people as makers
from core.videos import library as videos
from core.videos.kinds import BackendKey, MediaKind, SetStatus

SET_STATUSES = (SetStatus.COMPLETED, SetStatus.ACTIVE, SetStatus.FAILED)
TYPES: dict[str, tuple[str, ...]] = {"All": (), "Videos": (MediaKind.VIDEO,), "Images": (MediaKind.IMAGE,)}


def date_range(value: Any) -> tuple[date | None, date | None]:
    """Normalise what st.date_input returns (nothing, one date, or a pair) into (from, to)."""
    if not value:
        return None, None
    if isinstance(value, date):
        return value, value
    items = list(value)
    return (items[0] if items else None), (items[1] if len(items) > 1 else None)


def generation_filters(prefix: str, **extra: Any) -> videos.GenerationFilter:
    """The search-and-filter row My Videos and History share; ``extra`` adds fields such as folder.
    "Made by" shows only once someone signed in has made a set."""
    people = makers.set_makers(ui.studio())
    search_col, type_col, status_col, backend_col, date_col, *people_col = st.columns(
        [3, 1.4, 2, 2, 2, 2] if people else [3, 1.4, 2, 2, 2]
    )
    search = search_col.text_input("Search prompts", key=f"{prefix}_search", placeholder="e.g. lighthouse")
    media_type = type_col.selectbox("Type", list(TYPES), key=f"{prefix}_type")
    statuses = status_col.multiselect("Status", SET_STATUSES, key=f"{prefix}_status")
    backends = backend_col.multiselect(
        "Back-end", list(BackendKey), format_func=ui.video_backend_label, key=f"{prefix}_backend"
    )
    date_from, date_to = date_range(date_col.date_input("Created between", value=[], key=f"{prefix}_dates"))
    made_by = people_col[0].multiselect("Made by", people, key=f"{prefix}_made_by") if people else []
    return videos.GenerationFilter(
        search=search,
        statuses=tuple(statuses),
        backends=tuple(backends),
        date_from=date_from,
        date_to=date_to,
        media_kinds=TYPES[media_type],
        made_by=tuple(made_by),
        **extra,
    )
