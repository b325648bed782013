"""Changing and removing user-made style presets (listing and adding them are in ``db.videos``)."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from db.models import StylePreset


def update_preset(session: Session, name: str, prompt_suffix: str) -> bool:
    """Give the preset ``name`` new words; False when no user preset has that name."""
    result = session.execute(update(StylePreset).where(StylePreset.name == name).values(prompt_suffix=prompt_suffix))
    return bool(getattr(result, "rowcount", 0))


def delete_preset(session: Session, name: str) -> bool:
    """Remove the preset ``name``; False when no user preset has that name."""
    result = session.execute(delete(StylePreset).where(StylePreset.name == name))
    return bool(getattr(result, "rowcount", 0))
