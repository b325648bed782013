"""Queries of the image half of the library: the price per image of an image model (nullable in
``model_prices``: a model priced only per second of video has none)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ModelPrice


def image_prices(session: Session) -> dict[str, float]:
    """Every model with a price per image."""
    rows = session.scalars(select(ModelPrice).where(ModelPrice.usd_per_image.is_not(None)))
    return {p.model: float(p.usd_per_image or 0.0) for p in rows}


def set_image_price(session: Session, model: str, usd_per_image: float) -> None:
    price = session.get(ModelPrice, model)
    if price is None:
        session.add(ModelPrice(model=model, usd_per_second=0.0, usd_per_image=usd_per_image))
    else:
        price.usd_per_image = usd_per_image
