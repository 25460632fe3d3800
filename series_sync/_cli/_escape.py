"""Show server text on a terminal without letting the terminal obey it (design §7).

Standard library only and cheap to import: the stderr line of a usage error
goes through here too.
"""

from __future__ import annotations

__all__ = ["OBEYED_CATEGORIES", "shown"]

#: Unicode categories a terminal may act on: controls (C0, C1, DEL), formatting
#: (bidi overrides, zero-width, tags), line and paragraph separators.
OBEYED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def shown(text: str) -> str:
    """Return ``text`` with every character of :data:`OBEYED_CATEGORIES` as ``repr`` writes it.

    ``"\\x1b[2J"`` becomes ``"\\\\x1b[2J"``, U+202E ``"\\\\u202e"``, a line feed ``"\\\\n"``:
    the text is shown, never obeyed. Everything else is left as it is.
    """
    if text.isprintable():  # no character of those categories is printable: the fast path
        return text
    from unicodedata import category

    return "".join(
        repr(char)[1:-1] if category(char) in OBEYED_CATEGORIES else char for char in text
    )
