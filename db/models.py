"""The tables. Invariants live in the schema (checks, uniqueness), so no code path can break them.

The schema itself is created only by the migrations in ``db/migrations``; these classes map it.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class ImageAsset(Base):
    """One image file, stored once under media/ by the SHA-256 of its bytes."""

    __tablename__ = "image_assets"
    __table_args__ = (
        CheckConstraint("length(sha256) = 64", name="sha256_is_hex_digest"),
        CheckConstraint("width > 0 AND height > 0 AND bytes > 0", name="sizes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    captions: Mapped[list["Caption"]] = relationship(back_populates="asset")


class Caption(Base):
    """One caption of one image by one provider; edits keep the row and stamp ``edited_at``."""

    __tablename__ = "captions"
    __table_args__ = (
        CheckConstraint("length(trim(text)) > 0", name="text_not_empty"),
        CheckConstraint("style IN ('alt_text', 'detailed', 'social', 'custom')", name="style_known"),
        CheckConstraint("latency_ms IS NULL OR latency_ms >= 0", name="latency_not_negative"),
        CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name="confidence_in_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("image_assets.id", ondelete="RESTRICT"), index=True)
    style: Mapped[str] = mapped_column(String(32))
    prompt: Mapped[str] = mapped_column(Text, default="")
    provider: Mapped[str] = mapped_column(String(32), index=True)
    model: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)

    asset: Mapped[ImageAsset] = relationship(back_populates="captions")
