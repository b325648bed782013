"""User-made style presets: listing, adding, changing and removing them."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.models import StylePreset, utcnow


def presets(session: Session) -> list[StylePreset]:
    return list(session.scalars(select(StylePreset).order_by(StylePreset.name)))


def preset_suffix(session: Session, name: str) -> str | None:
    """The words a user-made preset adds, or None when no user preset has that name."""
    return session.scalar(select(StylePreset.prompt_suffix).where(StylePreset.name == name))


def add_preset(session: Session, name: str, prompt_suffix: str) -> StylePreset:
    preset = StylePreset(name=name, prompt_suffix=prompt_suffix, created_at=utcnow())
    session.add(preset)
    session.flush()
    return preset


def update_preset(session: Session, name: str, prompt_suffix: str) -> bool:
    """Give the preset ``name`` new words; False when no user preset has that name."""
    result = session.execute(update(StylePreset).where(StylePreset.name == name).values(prompt_suffix=prompt_suffix))
    return bool(getattr(result, "rowcount", 0))


def delete_preset(session: Session, name: str) -> bool:
    """Remove the preset ``name``; False when no user preset has that name."""
    result = session.execute(delete(StylePreset).where(StylePreset.name == name))
    return bool(getattr(result, "rowcount", 0))
