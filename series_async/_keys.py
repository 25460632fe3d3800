"""``client.keys``: check an API key."""

from __future__ import annotations

from ._models import KeyInfo
from ._pipeline import Call, encode_segment
from ._resource import Resource
from ._validation import check_str

__all__ = ["Keys"]


class Keys(Resource):
    """API keys (``client.keys``)."""

    async def check(self, api_key: str | None = None) -> KeyInfo:
        """Tell whether a key is valid and which workspace it belongs to.

        The key travels in the URL path (as the API requires), so logs and
        errors show the path template instead of the URL.

        Args:
            api_key: The key to check; defaults to the client's own key.

        Returns:
            The key's status. An unknown or inactive key is not an error:
            it gives ``valid=False``.
        """
        key = self._requester.options.api_key if api_key is None else check_str("api_key", api_key)
        call = Call(
            name="keys.check",
            method="GET",
            template="/basic/check-key/{apiKey}",
            path_params={"apiKey": encode_segment("api_key", key)},
            model=KeyInfo,
            idempotent=True,
            auth=False,
            secret_path=True,
        )
        return await self._call(call)
