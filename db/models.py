"""The tables. Invariants live in the schema (checks, uniqueness), so no code path can break them.

The schema itself is created only by the migrations in ``db/migrations``; these classes map it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# The one import db/ makes from core/: the vocabulary its CHECK constraints enforce (a leaf module).
from core.videos.kinds import MediaKind, Operation, VariationStatus, sql_in


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# Live variations with a title or alt text: ``db.described`` repeats this WHERE, so that SQLite uses
# the partial index of migration 0012 (it takes one only when the query holds the same terms).
DESCRIBED = "deleted_at IS NULL AND (title IS NOT NULL OR alt_text IS NOT NULL)"


def live_indexes(
    table: str,
    newest: bool = False,
    made_by: bool = False,
    folder: bool = False,
    style: bool = False,
    described: bool = False,
) -> list[Index]:
    """Partial indexes (migrations 0011, 0012): what is in the Trash; the rows not in it, newest
    first; the folders, people and styles a filter lists; and the variations a search reads for
    their title and alt text (``DESCRIBED``). No plain index on ``deleted_at``: SQLite's planner took it
    for ``deleted_at IS NULL`` (nearly every row) and sorted the whole table."""
    live = "deleted_at IS NULL"
    wanted = [("in_trash", ["deleted_at"], "deleted_at IS NOT NULL")]
    wanted += [("newest", ["created_at", "id"], live)] if newest else []
    wanted += [("folder", ["folder"], f"folder IS NOT NULL AND {live}")] if folder else []
    wanted += [("made_by", ["made_by"], f"made_by IS NOT NULL AND {live}")] if made_by else []
    wanted += [("style", ["style"], live)] if style else []
    wanted += [("described", ["generation_id"], DESCRIBED)] if described else []
    return [
        Index(f"ix_{table}_live_{name}", *columns, sqlite_where=text(where), postgresql_where=text(where))
        for name, columns, where in wanted
    ]


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

    captions: Mapped[list[Caption]] = relationship(back_populates="asset")


class Caption(Base):
    """One caption of one image by one provider; edits keep the row and stamp ``edited_at``."""

    __tablename__ = "captions"
    __table_args__ = (
        CheckConstraint("length(trim(text)) > 0", name="text_not_empty"),
        CheckConstraint("style IN ('alt_text', 'detailed', 'social', 'custom')", name="style_known"),
        CheckConstraint("latency_ms IS NULL OR latency_ms >= 0", name="latency_not_negative"),
        CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name="confidence_in_unit"),
        *live_indexes("captions", newest=True, made_by=True, style=True),
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
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)  # in the Trash since (indexed by live_indexes)
    kept_at: Mapped[datetime | None] = mapped_column(DateTime)  # chosen over its image's other versions
    made_by: Mapped[str | None] = mapped_column(String(200), index=True)  # who was signed in; None without sign-in

    asset: Mapped[ImageAsset] = relationship(back_populates="captions")


class Generation(Base):
    """One press of "Create video" (or one import): a set of variations made from one prompt."""

    __tablename__ = "generations"
    __table_args__ = (
        CheckConstraint("n_variations BETWEEN 1 AND 8", name="variation_count_sane"),
        CheckConstraint("seconds > 0", name="seconds_positive"),
        CheckConstraint("width > 0 AND height > 0 AND width % 2 = 0 AND height % 2 = 0", name="even_size"),
        CheckConstraint(sql_in("media_kind", MediaKind), name="media_kind_known"),
        *live_indexes("generations", newest=True, made_by=True, folder=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    source: Mapped[str] = mapped_column(String(16))  # "generate" or "import"
    # Videos or still images. For an image set, ``seconds`` is the length "Animate" starts from.
    media_kind: Mapped[str] = mapped_column(String(8), default=MediaKind.VIDEO)
    backend: Mapped[str] = mapped_column(String(32), index=True)  # "offline", "openai-videos", "import"
    model: Mapped[str] = mapped_column(String(100))
    prompt: Mapped[str] = mapped_column(Text, default="")
    prompt_parts: Mapped[str] = mapped_column(Text, default="{}")  # JSON: scene, visual, motion, extra
    style_preset: Mapped[str] = mapped_column(String(100), default="None")
    aspect_ratio: Mapped[str] = mapped_column(String(8))
    resolution: Mapped[str] = mapped_column(String(8))
    request_size: Mapped[str] = mapped_column(String(16))  # what the back-end was asked for
    width: Mapped[int] = mapped_column(Integer)  # what the library shows (after any local crop)
    height: Mapped[int] = mapped_column(Integer)
    local_crop: Mapped[bool] = mapped_column(default=False)
    seconds: Mapped[int] = mapped_column(Integer)
    n_variations: Mapped[int] = mapped_column(Integer, default=1)
    reference_sha256: Mapped[str | None] = mapped_column(String(64))
    source_sha256: Mapped[str | None] = mapped_column(String(64), index=True)  # an import's file as uploaded
    estimated_cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    favourite: Mapped[bool] = mapped_column(default=False)
    folder: Mapped[str | None] = mapped_column(String(100), index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)  # in the Trash since (indexed by live_indexes)
    cover_variation_id: Mapped[int | None] = mapped_column(Integer)  # kept in Compare; else the first ready
    made_by: Mapped[str | None] = mapped_column(String(200), index=True)  # who was signed in; None without sign-in

    variations: Mapped[list[Variation]] = relationship(
        back_populates="generation", order_by="Variation.position", cascade="all, delete-orphan"
    )
    tags: Mapped[list[GenerationTag]] = relationship(
        order_by="GenerationTag.tag", cascade="all, delete-orphan", lazy="selectin"
    )


class GenerationTag(Base):
    """One tag on one set (a set has any number; a tag names any number of sets)."""

    __tablename__ = "generation_tags"
    __table_args__ = (CheckConstraint("length(trim(tag)) > 0", name="tag_not_empty"),)

    generation_id: Mapped[int] = mapped_column(ForeignKey("generations.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)


class Variation(Base):
    """One video of a set. Its status is moved only by the job runner (core/videos/jobs/)."""

    __tablename__ = "variations"
    __table_args__ = (
        CheckConstraint(sql_in("status", VariationStatus), name="status_known"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_is_percent"),
        CheckConstraint(
            f"status != '{VariationStatus.COMPLETED}' OR video_sha256 IS NOT NULL", name="completed_has_video"
        ),
        UniqueConstraint("generation_id", "position", name="one_variation_per_place"),
        *live_indexes("variations", described=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    generation_id: Mapped[int] = mapped_column(ForeignKey("generations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 0-based place in the set
    status: Mapped[str] = mapped_column(String(16), default=VariationStatus.QUEUED, index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    remote_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    video_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    has_thumbnail: Mapped[bool] = mapped_column(default=False)
    has_spritesheet: Mapped[bool] = mapped_column(default=False)
    duration_s: Mapped[float | None] = mapped_column(Float)
    fps: Mapped[float | None] = mapped_column(Float)
    bytes: Mapped[int | None] = mapped_column(Integer)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("variations.id", ondelete="SET NULL"), index=True)
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("variations.id", ondelete="SET NULL", name="fk_variations_partner_id"), index=True
    )
    operation: Mapped[str] = mapped_column(String(16), default=Operation.GENERATE)
    operation_params: Mapped[str] = mapped_column(Text, default="{}")
    # A chain of service jobs (a storyboard: create, then extend per card): the card being made
    # (its job's id is ``remote_id``) and the ids of the jobs already finished, as a JSON list.
    chain_step: Mapped[int] = mapped_column(Integer, default=0)
    chain_remote_ids: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)  # in the Trash since (indexed by live_indexes)
    title: Mapped[str | None] = mapped_column(String(200))  # "Describe this video" in the lightbox
    alt_text: Mapped[str | None] = mapped_column(Text)
    made_by: Mapped[str | None] = mapped_column(String(200))  # who asked for it: an edit's may differ from its set's

    generation: Mapped[Generation] = relationship(back_populates="variations")


class StylePreset(Base):
    """A user-made style preset: a name and the words it adds to the prompt."""

    __tablename__ = "style_presets"
    __table_args__ = (CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    prompt_suffix: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ModelPrice(Base):
    """Price per second of video (and, for image models, per image) for a model, editable in the UI."""

    __tablename__ = "model_prices"
    __table_args__ = (
        CheckConstraint("usd_per_second >= 0", name="price_not_negative"),
        CheckConstraint("usd_per_image IS NULL OR usd_per_image >= 0", name="image_price_not_negative"),
    )

    model: Mapped[str] = mapped_column(String(100), primary_key=True)
    usd_per_second: Mapped[float] = mapped_column(Float)
    usd_per_image: Mapped[float | None] = mapped_column(Float)


class AppState(Base):
    """Small pieces of UI state kept across restarts, by key (the Create video draft, as JSON)."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
