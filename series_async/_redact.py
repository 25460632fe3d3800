"""What text may leave the SDK: secrets replaced, long text cut.

One placeholder (:data:`REDACTED`), one scrubber factory (:func:`scrubber`) and
one truncation helper (:func:`excerpt`) with two named limits: a few KiB of a
body, or one line of detail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["EXCERPT_LIMIT", "LINE_LIMIT", "REDACTED", "Scrub", "excerpt", "scrubber"]

REDACTED = "<redacted>"
"""What a secret is replaced with wherever it would show."""

EXCERPT_LIMIT = 4096
"""How much of a body an error keeps (characters)."""

LINE_LIMIT = 200
"""How much of a one-line detail (a reason phrase, aiohttp's words) is shown."""

Scrub = Callable[[str], str]
"""A function that returns its text with every secret replaced by :data:`REDACTED`."""


def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """Return at most ``limit`` characters of ``text``, saying where it was cut."""
    return text if len(text) <= limit else text[:limit] + f"... (cut at {limit} characters)"


def scrubber(secrets: Iterable[str]) -> Scrub:
    """Return a :data:`Scrub` replacing each of ``secrets`` in a text, longest first.

    Longest first, so a secret that contains another is replaced whole.
    """
    ordered = sorted({s for s in secrets if s}, key=len, reverse=True)

    def scrub(text: str) -> str:
        for secret in ordered:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    return scrub
