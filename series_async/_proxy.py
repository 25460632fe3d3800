"""Which HTTP proxy the client uses: the ``proxy=`` argument or the environment.

The proxy is settled once, when the client is built (as httpx does): the API's
host never changes, so there is nothing to look up per request. Credentials in
a proxy URL are split off here: the transport sends them as a
``Proxy-Authorization`` header and hands aiohttp a URL without them, so no
aiohttp message can quote them, and :func:`display` gives the form that repr
and errors show.

Only ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY`` (either case) are read:
not ``ALL_PROXY``, not the system's proxy settings, and not ``.netrc`` (which
aiohttp's own ``trust_env=True`` would turn into an ``Authorization`` header
on API requests).
"""

from __future__ import annotations

import base64
import urllib.request
from urllib.parse import unquote, urlsplit, urlunsplit

import attrs

from ._errors import ValidationError
from ._scrub import REDACTED
from ._validation import show

__all__ = ["ProxyConfig", "display", "resolve_proxy"]


@attrs.frozen(repr=False)
class ProxyConfig:
    """A proxy to send API requests through.

    Attributes:
        url: The proxy URL without credentials.
        authorization: The ``Proxy-Authorization`` header value, or ``None``.
        source: Where it came from (``"proxy"`` or the environment variable), for messages.
        secrets: The credentials in every form an error could quote them, to scrub.
    """

    url: str
    authorization: str | None
    source: str
    secrets: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"ProxyConfig({display(self)!r})"


def display(proxy: ProxyConfig | None) -> str | None:
    """The proxy URL as repr and errors may show it: credentials replaced by ``<redacted>``."""
    if proxy is None:
        return None
    if proxy.authorization is None:
        return proxy.url
    scheme, rest = proxy.url.split("://", 1)
    return f"{scheme}://{REDACTED}@{rest}"


def _parse(value: str, source: str) -> ProxyConfig:
    # Messages never quote ``value``: it may hold a password.
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(source, "must be an http:// or https:// proxy URL")
    text = value.strip()
    if source != "proxy" and "://" not in text:
        text = "http://" + text  # "proxy.corp:3128" in an env variable, as curl and requests allow
    try:
        parts = urlsplit(text)
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise ValidationError(source, "is not a valid proxy URL (bad host or port)") from None
    if parts.scheme not in ("http", "https"):
        raise ValidationError(
            source,
            f"unsupported proxy scheme {parts.scheme!r}: use an http:// or https:// proxy URL"
            + ("" if source == "proxy" else ", or trust_env=False to ignore the environment"),
        )
    if not host:
        raise ValidationError(source, "the proxy URL has no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValidationError(source, "a proxy URL is scheme://[user:password@]host[:port] only")
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise ValidationError(source, "must not contain whitespace or control characters")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    url = urlunsplit((parts.scheme, netloc, "", "", ""))
    authorization = None
    secrets: list[str] = []
    if parts.username is not None or parts.password is not None:
        pair = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
        token = base64.b64encode(pair.encode("utf-8")).decode("ascii")
        authorization = "Basic " + token
        userinfo = parts.netloc.rpartition("@")[0]
        secrets += [userinfo, token, pair]
        if parts.password:
            secrets += [parts.password, unquote(parts.password)]
    return ProxyConfig(url, authorization, source, tuple(dict.fromkeys(s for s in secrets if s)))


def resolve_proxy(proxy: str | None, *, trust_env: bool, base_url: str) -> ProxyConfig | None:
    """Settle the proxy for requests to ``base_url``.

    Args:
        proxy: An explicit proxy URL; wins over the environment (``NO_PROXY`` included).
        trust_env: Read ``HTTPS_PROXY`` / ``HTTP_PROXY`` (for the base URL's
            scheme) and ``NO_PROXY`` when no explicit proxy is given.
        base_url: The API root, already checked.

    Returns:
        The proxy to use, or ``None`` for a direct connection.

    Raises:
        ValidationError: The proxy URL (argument or variable) is unusable; the
            message names where it came from, never its credentials.
    """
    if proxy is not None:
        return _parse(proxy, "proxy")
    if not isinstance(trust_env, bool):
        raise ValidationError("trust_env", f"must be True or False, got {show(trust_env)}")
    if not trust_env:
        return None
    target = urlsplit(base_url)
    found = urllib.request.getproxies_environment().get(target.scheme)
    if not found:
        return None
    # The standard library's own NO_PROXY matching (suffixes, ports, "*"),
    # present on every supported Python though missing from typeshed.
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    if bypass(target.netloc):
        return None
    return _parse(found, f"{target.scheme.upper()}_PROXY")
