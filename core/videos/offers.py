"""Options depend on your plan: which models, resolutions, durations and variation counts the
composer offers for each video back-end.

A video service sells its options by plan (Sora's own app offers 1080p and longer clips only on
Pro), so the studio keeps one chosen plan per back-end (in ``app_state``, not the secrets file:
it is no secret) and the composer offers exactly what it allows. ``create_generation`` checks a
request against the same offer, so a setting the plan lacks is refused with a sentence before
anything is written, not by the service after a charge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from core.errors import StudioError
from core.studio import Studio
from core.videos.kinds import BackendKey
from core.videos.plan import DURATIONS, PRO_MODELS, RESOLUTIONS, VARIATION_COUNTS
from db import state as stored

CUSTOM = "Custom"


@dataclass(frozen=True)
class Offer:
    """What the composer offers on one back-end under one plan."""

    plan: str
    models: tuple[str, ...]
    resolutions: tuple[str, ...]
    durations: tuple[int, ...]
    variation_counts: tuple[int, ...]
    note: str = ""
    hd_is_pro: bool = True  # on the Videos API only a pro model makes 1080p

    def resolutions_for(self, model: str) -> tuple[str, ...]:
        """The resolutions ``model`` can make under this plan (on the Videos API, HD is a pro model's)."""
        if not self.hd_is_pro or model in PRO_MODELS:
            return self.resolutions
        return tuple(r for r in self.resolutions if r != "1080p") or self.resolutions[:1]

    def refusal(self, model: str, resolution: str, seconds: int, variations: int) -> str | None:
        """The sentence that refuses a request this plan does not allow, or None when it allows it."""
        if self.models and model not in self.models:
            return f"Your {self.plan} plan does not include {model}; pick {_either(self.models)} (Settings → Plan)."
        if resolution not in self.resolutions:
            return f"Your {self.plan} plan makes {_either(self.resolutions)} only (Settings → Plan)."
        if seconds not in self.durations:
            return f"Your {self.plan} plan makes clips of {_either([f'{s} s' for s in self.durations])}."
        if variations not in self.variation_counts:
            counts = _either([str(n) for n in self.variation_counts])
            return f"Your {self.plan} plan makes {counts} variations at a time."
        return None


def _either(values: Any) -> str:
    items = [str(v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" or {items[-1]}"


_VIDEO_API_PLANS = (
    Offer(
        "Standard",
        ("sora-2",),
        ("720p",),
        (4, 8),
        (1, 2),
        "sora-2 at 720p, clips of 4 or 8 s, up to 2 variations.",
    ),
    Offer(
        "Pro",
        ("sora-2", "sora-2-pro"),
        RESOLUTIONS,
        DURATIONS,
        VARIATION_COUNTS,
        "sora-2 and sora-2-pro, 1080p on sora-2-pro, clips of 4, 8 or 12 s, up to 4 variations.",
    ),
)
_OFFLINE_PLANS = (
    Offer("Offline", (), RESOLUTIONS, DURATIONS, VARIATION_COUNTS, "Everything, on this computer, at no cost.", False),
)
PLANS: dict[str, tuple[Offer, ...]] = {BackendKey.OPENAI_VIDEOS: _VIDEO_API_PLANS, BackendKey.OFFLINE: _OFFLINE_PLANS}
DEFAULT_PLAN: dict[str, str] = {BackendKey.OPENAI_VIDEOS: "Pro", BackendKey.OFFLINE: "Offline"}


def _key(backend: str) -> str:
    return f"plan:{backend}"


def plan_names(backend: str) -> list[str]:
    """The plans a back-end has, and Custom where the user may pick each option."""
    names = [offer.plan for offer in PLANS.get(backend, _OFFLINE_PLANS)]
    return [*names, CUSTOM] if backend in DEFAULT_PLAN and len(names) > 1 else names


def built_in(backend: str, plan: str) -> Offer:
    for offer in PLANS.get(backend, _OFFLINE_PLANS):
        if offer.plan == plan:
            return offer
    raise StudioError(f"There is no plan called {plan!r} for this back-end.")


def offer(studio: Studio, backend: str, models: list[str] | None = None) -> Offer:
    """What the composer offers on ``backend``: its chosen plan (or the default), with the models
    the back-end actually has when ``models`` is given (a configured model the plan does not name
    is kept: the user chose it)."""
    with studio.db.session() as session:
        chosen = stored.get_value(session, _key(backend))
    result = _from_stored(backend, chosen)
    if models is not None:
        allowed = [m for m in models if not result.models or m in result.models or m == models[0]]
        result = replace(result, models=tuple(allowed or models[:1]))
    return result


def _from_stored(backend: str, chosen: Any) -> Offer:
    default = built_in(backend, DEFAULT_PLAN.get(backend, "Offline"))
    if not isinstance(chosen, dict):
        return default
    name = chosen.get("plan")
    if name == CUSTOM:
        try:
            return _custom(backend, chosen.get("options") or {})
        except (StudioError, TypeError, ValueError):
            return default  # damaged by hand: fall back rather than break the composer
    try:
        return built_in(backend, str(name))
    except StudioError:
        return default


def _custom(backend: str, options: dict[str, Any]) -> Offer:
    widest = built_in(backend, plan_names(backend)[-2] if len(plan_names(backend)) > 1 else plan_names(backend)[0])
    models = tuple(m for m in options.get("models", widest.models) if m in widest.models)
    resolutions = tuple(r for r in RESOLUTIONS if r in options.get("resolutions", ()))
    durations = tuple(d for d in DURATIONS if d in [int(x) for x in options.get("durations", ())])
    counts = tuple(n for n in VARIATION_COUNTS if n in [int(x) for x in options.get("variation_counts", ())])
    if not (resolutions and durations and counts) or (widest.models and not models):
        raise StudioError("A custom plan needs at least one model, resolution, duration and variation count.")
    return Offer(CUSTOM, models, resolutions, durations, counts, "Your own choice of options.")


def choose_plan(studio: Studio, backend: str, plan: str, options: dict[str, Any] | None = None) -> Offer:
    """Keep ``plan`` for ``backend`` (with the user's ``options`` when it is Custom); return its offer."""
    if plan == CUSTOM:
        result = _custom(backend, options or {})
        value: dict[str, Any] = {"plan": CUSTOM, "options": asdict(result)}
    else:
        result = built_in(backend, plan)
        value = {"plan": plan}
    with studio.db.session() as session:
        stored.put_value(session, _key(backend), value)
    return result


def check_request(studio: Studio, backend: str, model: str, resolution: str, seconds: int, variations: int) -> None:
    """Refuse, with the plan's sentence, a request the chosen plan does not allow."""
    current = offer(studio, backend)
    named = {m for plan in PLANS.get(backend, ()) for m in plan.models}
    if model not in named:  # the offline renderer, or a gateway's own model the user configured
        current = replace(current, models=())
    refusal = current.refusal(model, resolution, seconds, variations)
    if refusal:
        raise StudioError(refusal)
