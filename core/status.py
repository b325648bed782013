"""Whether a service (a caption provider, a video back-end) can be used now, and why not.

Neutral on purpose: the caption providers and the video back-ends both report one, and neither
should import the other's code to say so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceStatus:
    """Whether a service can be used now, and why not if it cannot."""

    key: str
    label: str
    configured: bool
    reason: str  # e.g. "Set WATSONX_APIKEY or WATSONX_TOKEN" or "Llama 4 Maverick on https://..."
