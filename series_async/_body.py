"""Response bodies: reading one past its encoding, and excerpts of it for errors.

The transport hands bodies to aiohttp with its automatic decompression off and
decompresses them here, so that a body it cannot decode (corrupt gzip or deflate,
an encoding such as br or zstd) leaves the answer's status known: the pipeline
then raises that status's error, not a dropped connection.
"""

from __future__ import annotations

import zlib

from ._errors import SeriesError, UnexpectedResponseError
from ._scrub import EXCERPT_LIMIT, Scrubber, excerpt

__all__ = ["MAX_BODY", "Undecodable", "decompress", "excerpt_bytes", "too_big"]

MAX_BODY = 8 * 1024 * 1024
"""Largest response body read, counted after decompression; more is refused unread."""


def excerpt_bytes(data: bytes, scrub: Scrubber) -> str:
    """Decode, scrub and cut a body for an error.

    Scrubbed before it is cut, with a margin as wide as the longest spelling of a
    secret, so a secret that straddles the cut can never leave a recognisable
    piece of itself in the excerpt.
    """
    head = data[: (EXCERPT_LIMIT + 1024 + scrub.margin) * 4].decode("utf-8", "replace")
    return excerpt(scrub(head))


class Undecodable(Exception):
    """A body that cannot be decompressed; its message says why (in our words)."""


def _looks_like_zlib(data: bytes) -> bool:
    # RFC 1950: compression method 8, and the two header bytes a multiple of 31.
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def decompress(data: bytes, encoding: str, status: int, scrub: Scrubber) -> bytes:
    """Undo ``Content-Encoding`` (gzip, deflate), refusing more than ``MAX_BODY`` bytes.

    Raises:
        Undecodable: Corrupt or cut-short data, or an encoding the SDK cannot decode.
        UnexpectedResponseError: The decompressed body is larger than ``MAX_BODY``.
    """
    codings = [c.strip().lower() for c in encoding.split(",")]
    for coding in reversed([c for c in codings if c and c != "identity"]):
        if coding in ("gzip", "x-gzip"):
            wbits = 16 + zlib.MAX_WBITS
        elif coding == "deflate":  # zlib-wrapped as RFC 9110 says, or raw as some servers send
            wbits = zlib.MAX_WBITS if _looks_like_zlib(data) else -zlib.MAX_WBITS
        else:
            raise Undecodable(
                "the response body could not be decompressed (no decoder for "
                f"Content-Encoding {excerpt(scrub(coding), 40)!r})"
            )
        decoder = zlib.decompressobj(wbits)
        try:
            out = decoder.decompress(data, MAX_BODY + 1)
        except zlib.error as exc:
            raise Undecodable(
                f"the response body could not be decompressed ({coding}: {exc})"
            ) from None
        if len(out) > MAX_BODY:
            raise too_big(status, out, None, scrub)
        if not decoder.eof:
            raise Undecodable(f"the response body could not be decompressed ({coding}: cut short)")
        data = out
    return data


def too_big(status: int, head: bytes, declared: int | None, scrub: Scrubber) -> SeriesError:
    said = f" (Content-Length {declared})" if declared is not None and declared > MAX_BODY else ""
    return UnexpectedResponseError(
        f"the response body is larger than the {MAX_BODY // (1024 * 1024)} MiB limit{said}; "
        "not read further",
        status=status,
        body=excerpt_bytes(head, scrub),
    )
