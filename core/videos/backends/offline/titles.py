"""Title cards over the animatic: the scene as a title, then the visual details, fading in and out.

The frames are drawn at half size above 960×540 and upscaled on the way to YUV, which would blur
text; so the cards are laid straight into the full-size YUV 4:2:0 planes of each encoded frame
(a grey card: luma blended towards white text, chroma pulled to neutral), and stay sharp.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from core.videos.prompt import VideoPrompt

if TYPE_CHECKING:
    import av

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF")

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
# (top row, luma of the card, its opacity per pixel, its opacity per 2×2 chroma sample)
Card = tuple[int, NDArray[np.floating[Any]], NDArray[np.floating[Any]], NDArray[np.floating[Any]]]


def title_font(size: int, bold: bool) -> Font:
    """DejaVu Sans at ``size`` pixels if installed, else Pillow's own font."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if os.path.exists(os.path.join(folder, name)):
            return ImageFont.truetype(os.path.join(folder, name), size)
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def wrap(text: str, font: Font, width: float, max_lines: int) -> list[str]:
    """``text`` in lines no wider than ``width``; past ``max_lines`` the last line ends in " …"."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        while lines[-1] and font.getlength(lines[-1] + " …") > width:
            lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
        lines[-1] += " …"
    return lines


class Titles:
    """Scene cards: the scene as a title for the first half, the visual details for the second."""

    FADE = 0.4  # seconds

    def __init__(self, prompt: VideoPrompt, width: int, height: int, seconds: float):
        self.cards: list[tuple[float, float, Card]] = []
        # (text, from, until as fractions of the clip, font size as a fraction of the height, bold)
        for text, start, end, size, bold in (
            (prompt.scene, 0.0, 0.5, 15, True),
            (prompt.visual, 0.55, 0.97, 24, False),
        ):
            text = " ".join(text.split())
            if text:
                self.cards.append((start * seconds, end * seconds, self._card(text, width, height, size, bold)))

    @staticmethod
    def _card(text: str, width: int, height: int, divisor: int, bold: bool) -> Card:
        font = title_font(max(10, height // divisor), bold)
        lines = wrap(text, font, width * 0.84, 2)
        line_h = font.getbbox("Ag")[3] + max(2, height // 120)
        band_h = int(min(height, (len(lines) * line_h + height // 12)) // 2 * 2)  # a tiny frame clips the card
        card = Image.new("LA", (width, band_h), (0, 0))
        shade = np.linspace(0, 150, band_h, dtype=np.float32)[:, None] ** 0.6 / 150**0.6 * 150
        card.putalpha(Image.fromarray(np.broadcast_to(shade, (band_h, width)).astype(np.uint8)))
        draw = ImageDraw.Draw(card)
        y = band_h - len(lines) * line_h - height // 24
        for line in lines:
            x = (width - font.getlength(line)) / 2
            draw.text((x + 2, y + 2), line, font=font, fill=(0, 255))
            draw.text((x, y), line, font=font, fill=(240, 255))
            y += line_h
        luma_alpha = np.asarray(card, dtype=np.float32)
        value = 16 + luma_alpha[..., 0] * (219 / 255)  # limited-range luma of the grey card
        alpha = luma_alpha[..., 1] / 255
        chroma_alpha = alpha.reshape(band_h // 2, 2, width // 2, 2).mean(axis=(1, 3))
        return height - band_h, value, alpha, chroma_alpha

    def apply(self, frame: av.VideoFrame, t: float) -> av.VideoFrame:
        """Lay the cards showing at ``t`` seconds into ``frame`` (yuv420p), in place; return it."""
        for start, end, (top, value, alpha, chroma_alpha) in self.cards:
            fade = min(1.0, max(0.0, (t - start) / self.FADE), max(0.0, (end - t) / self.FADE))
            if fade <= 0:
                continue
            planes = [
                np.frombuffer(memoryview(p), np.uint8).reshape(p.height, p.line_size)[:, : p.width]
                for p in frame.planes
            ]
            rows = slice(top, top + value.shape[0])
            luma = planes[0][rows].astype(np.float32)
            planes[0][rows] = (luma + (value - luma) * (alpha * fade)).astype(np.uint8)
            half = slice(top // 2, top // 2 + chroma_alpha.shape[0])
            for chroma in planes[1:]:  # the card is grey: pull colour towards neutral
                c = chroma[half].astype(np.float32)
                chroma[half] = (c + (128 - c) * (chroma_alpha * fade)).astype(np.uint8)
        return frame
