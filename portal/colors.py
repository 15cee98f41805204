"""Colour maths for the landing page (WCAG 2 contrast), so operators' brand colours stay readable.

Text on buttons is chosen black or white, whichever contrasts more with the
button colour (one of the two always reaches 4.5:1). Links use the brand
colour only where it is readable on the background.
"""

from __future__ import annotations

MIN_TEXT_CONTRAST = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_color: str) -> float:
    value = hex_color.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(hex_color: str) -> str:
    """Black or white, whichever is more readable on ``hex_color``."""
    return (
        "#000000" if contrast(hex_color, "#000000") >= contrast(hex_color, "#ffffff") else "#ffffff"
    )


def css_variables(*, primary: str, background: str, text: str) -> dict[str, str]:
    """The page's CSS custom properties, derived so every pairing is readable."""
    card = _card(text, background)
    readable = min(contrast(primary, background), contrast(primary, card))
    link = primary if readable >= MIN_TEXT_CONTRAST else text
    return {
        "--np-primary": primary.lower(),
        "--np-on-primary": text_on(primary),
        "--np-bg": background.lower(),
        "--np-text": text.lower(),
        "--np-link": link.lower(),
        "--np-card": card,
    }


def _card(text: str, background: str) -> str:
    """White or near-black cards, whichever suits the text; else plain background."""
    card = max(("#ffffff", "#1b1f24"), key=lambda c: contrast(text, c))
    return card if contrast(text, card) >= MIN_TEXT_CONTRAST else background.lower()
