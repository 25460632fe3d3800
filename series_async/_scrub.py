"""Secrets out of every text that leaves the SDK: the API key and proxy credentials.

Also the one rule for cutting such a text short (:func:`excerpt`, two named limits).
Two rules for secrets, and one place each is applied:

- :class:`Scrubber` removes every secret from a text in any spelling it could
  take there: as it is, percent-encoded (the caller adds that spelling), and
  written with JSON escapes (``\\u0073k_live...``, ``\\/``, ``\\"``, ``\\\\``,
  surrogate pairs), which a server echoing the key inside a JSON string may use.
  Text is scrubbed *before* it is cut to an excerpt, so a cut can never leave a
  piece of a secret behind (:attr:`Scrubber.margin` says how much more to scan).
- :meth:`Scrubber.error` is the boundary: every error leaving a public call goes
  through it once (``Pipeline.run``), with everything chained to it
  (``__cause__``, ``__context__``, exception groups). Their args, messages,
  attributes and notes are scrubbed in place, after all decoding has happened;
  an exception that still shows a secret is cut out of the chain.
"""

from __future__ import annotations

import contextlib
import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

__all__ = ["EXCERPT_LIMIT", "LINE_LIMIT", "REDACTED", "Scrubber", "excerpt"]

REDACTED = "<redacted>"
"""What a secret is replaced with wherever it would show."""

EXCERPT_LIMIT = 4096
"""How much of a body an error keeps (characters)."""

LINE_LIMIT = 200
"""How much of a one-line text (a reason phrase, aiohttp's words, a detail) is shown."""

# One JSON escape: \uXXXX or a one-letter one. Read left to right, "\\\\u0073" is an
# escaped backslash followed by the text "u0073", as a JSON decoder reads it.
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|([\"\\/bfnrt]))")
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
# The longest JSON spelling of one character: a surrogate pair, \uXXXX\uXXXX.
_WIDEST = 12
_CHAIN_LIMIT = 64


def _utf16_units(text: str) -> str:
    """``text`` with each character beyond U+FFFF written as its two surrogates."""
    if text.isascii() or max(text) <= "\uffff":
        return text
    encoded = text.encode("utf-16-le", "surrogatepass")
    return "".join(
        chr(int.from_bytes(encoded[i : i + 2], "little")) for i in range(0, len(encoded), 2)
    )


def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """Return at most ``limit`` characters of ``text``, saying where it was cut.

    The one truncation rule of the SDK; scrub a text before cutting it.
    """
    return text if len(text) <= limit else text[:limit] + f"... (cut at {limit} characters)"


class Scrubber:
    """Replaces secrets with ``<redacted>``; call it on a text, or :meth:`error` on an error.

    Args:
        secrets: Every string no text may show (empty ones are ignored).
    """

    __slots__ = ("_forms", "_secrets", "margin")

    def __init__(self, secrets: Iterable[str]) -> None:
        ordered = sorted({s for s in secrets if s}, key=len, reverse=True)
        self._secrets = tuple(ordered)
        # Once JSON escapes are decoded, a character beyond U+FFFF written as an
        # escaped surrogate pair is two characters: look for that form too.
        forms = {form for s in ordered for form in (s, _utf16_units(s))}
        self._forms = tuple(sorted(forms, key=len, reverse=True))
        #: How many characters past a cut to scrub first, so that no spelling of a
        #: secret starting before the cut can end after it.
        self.margin = _WIDEST * (len(ordered[0]) if ordered else 0)

    def __call__(self, text: str) -> str:
        """Return ``text`` with every secret, in any spelling, replaced."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        if "\\" in text and self._secrets:
            text = self._unescaped(text)
        return text

    def _unescaped(self, text: str) -> str:
        """Replace the secrets that appear once the JSON escapes of ``text`` are decoded."""
        pieces: list[str] = []
        at_decoded: list[int] = []  # each escape: where it is in the decoded text,
        at_raw: list[int] = []  # where it starts in ``text``,
        raw_end: list[int] = []  # and where it ends there
        pos = size = 0
        for match in _ESCAPE.finditer(text):
            start, end = match.span()
            pieces.append(text[pos:start])
            size += start - pos
            hexa = match.group(1)
            pieces.append(chr(int(hexa, 16)) if hexa else _SIMPLE[match.group(2)])
            at_decoded.append(size)
            at_raw.append(start)
            raw_end.append(end)
            size += 1
            pos = end
        if not at_decoded:
            return text
        pieces.append(text[pos:])
        decoded = "".join(pieces)

        def raw_index(index: int) -> int:
            i = bisect_right(at_decoded, index) - 1
            if i < 0:
                return index
            if at_decoded[i] == index:
                return at_raw[i]
            return raw_end[i] + (index - at_decoded[i] - 1)

        spans: list[tuple[int, int]] = []
        for form in self._forms:
            found = decoded.find(form)
            while found >= 0:
                spans.append((raw_index(found), raw_index(found + len(form))))
                found = decoded.find(form, found + 1)
        if not spans:
            return text
        spans.sort()
        out: list[str] = []
        pos = 0
        for start, end in spans:
            if end <= pos:
                continue
            if start >= pos:
                out.append(text[pos:start])
                out.append(REDACTED)
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def value(self, value: Any) -> Any:
        """Scrub every string of a decoded JSON value (keys included); others are kept."""
        kind = type(value)  # exact types: a NamedTuple or a str subclass is kept as it is
        if kind is str:
            return self(value)
        if kind is dict:
            return {self.value(k): self.value(v) for k, v in value.items()}
        if kind is list or kind is tuple:
            items = [self.value(v) for v in value]
            return items if kind is list else tuple(items)
        return value

    def _clean(self, exc: BaseException) -> None:
        exc.args = tuple(self.value(a) for a in exc.args)
        state = getattr(exc, "__dict__", None)
        if state is None:
            return
        for name, value in list(state.items()):
            if type(value) in (str, dict, list, tuple):
                try:
                    state[name] = self.value(value)
                except RecursionError:  # a decoded body nested too deeply to walk
                    state[name] = REDACTED

    def _shows_secret(self, exc: BaseException) -> bool:
        try:
            text = f"{exc}{exc!r}"
        except Exception:  # an exotic exception that cannot even say what it is
            return True
        return self(text) != text

    def error(self, error: BaseException) -> None:
        """Scrub ``error`` and every exception chained to it, in place.

        Each one's args and attributes (``message``, ``body``, ``url``, notes...)
        are scrubbed; one that still shows a secret through its ``str`` or
        ``repr`` (an exception group's own message, an exotic ``__str__``), or
        groups one that does, is cut out of the chain, so that no traceback, log
        line or error tracker shows it.
        """
        self._walk(error, set())

    def _walk(self, exc: BaseException, seen: set[int]) -> bool:
        """Clean ``exc`` and what it chains; return whether it may be shown."""
        if id(exc) in seen:
            return True
        seen.add(id(exc))
        if len(seen) > _CHAIN_LIMIT:
            return False
        # Read-only attributes may refuse: it is judged by what it shows below.
        with contextlib.suppress(Exception):
            self._clean(exc)
        shown = not self._shows_secret(exc)
        cause, context = exc.__cause__, exc.__context__
        if cause is not None and not self._walk(cause, seen):
            exc.__cause__ = None
        if context is not None and not self._walk(context, seen):
            exc.__context__ = None
        grouped = getattr(exc, "exceptions", None)
        if isinstance(grouped, (tuple, list)):
            members = [self._walk(e, seen) for e in grouped if isinstance(e, BaseException)]
            shown = shown and all(members)
        return shown
