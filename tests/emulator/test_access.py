"""Keys over real loopback HTTP: auth headers, check-key, the rate limit, unknown routes."""

from __future__ import annotations

import pytest

from .conftest import Api

LIMITED = {
    "api_keys": [
        {"key": "sk_limited", "rate_limit": 3, "rate_limit_window": 3600},
        {"key": "sk_other"},
    ]
}


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Missing API key: send it in the apikey or x-api-key header"),
        ({"apikey": "sk_wrong"}, "Invalid API key"),
        ({"apikey": "sk_test_revoked"}, "API key is inactive"),
    ],
)
async def test_bad_or_missing_key_is_401(api: Api, headers: dict[str, str], message: str) -> None:
    answer = await api.call("GET", "/sessions/list", headers=headers)
    assert (answer.status, answer.message) == (401, message)
    # A refused request is logged but nothing is applied.
    assert api.emulator.state.requests[-1].applied is False


async def test_x_api_key_header_is_accepted(api: Api) -> None:
    answer = await api.call("GET", "/sessions/list", headers={"x-api-key": "sk_test_demo"})
    assert answer.status == 200


async def test_check_key_reports_the_workspace(api: Api) -> None:
    first = await api.call("GET", "/basic/check-key/sk_test_demo", headers={})
    assert first.status == 200
    data = first.data
    assert data["valid"] is True
    assert data["status"] == "active"
    assert data["workspaceId"] == "a7d5339a-5531-4336-99c6-6f3249c9ac20"
    assert data["workspaceName"] == "Demo Training Group"
    assert data["lastUsed"] is None
    assert (data["rateLimitRemaining"], data["rateLimitReset"]) == (None, None)
    await api.call("GET", "/sessions/list")
    second = await api.call("GET", "/basic/check-key/sk_test_demo", headers={})
    assert str(second.data["lastUsed"]).endswith("Z")
    # The log shows the route template, never the key in the path.
    assert all("sk_test_demo" not in r.path for r in api.emulator.state.requests)


@pytest.mark.parametrize("key", ["sk_unknown", "sk_test_revoked"])
async def test_check_key_of_an_unusable_key_is_200_valid_false(api: Api, key: str) -> None:
    answer = await api.call("GET", f"/basic/check-key/{key}", headers={})
    assert answer.status == 200
    assert answer.data == {
        "valid": False,
        "status": "inactive",
        "message": "API key is inactive or invalid",
    }


@pytest.mark.series_emulator(config=LIMITED)
async def test_rate_limit_answers_429_with_retry_after_per_key(api: Api) -> None:
    for _ in range(3):
        assert (await api.call("GET", "/sessions/list")).status == 200
    limited = await api.call("GET", "/sessions/list")
    assert limited.status == 429
    assert limited.message == "Rate limit exceeded: 3 requests per 3600 seconds for this API key"
    assert 3590 <= int(limited.headers["Retry-After"]) <= 3600
    other = await api.call("GET", "/sessions/list", headers={"apikey": "sk_other"})
    assert other.status == 200  # the quota is per key
    check = await api.call("GET", "/basic/check-key/sk_limited", headers={})
    assert check.data["rateLimitRemaining"] == 0
    assert str(check.data["rateLimitReset"]).endswith("Z")


# The emulator reads time.monotonic() with no public clock to steer, so this test
# waits for real: the window is wide enough (300 ms) that two back-to-back calls
# fall inside it even on a loaded machine, and the wait starts after the window
# did (the first call's reply came back before it), so sleeping the window plus
# a margin for the loop's clock resolution is always past its end.
FAST_WINDOW = 0.3


@pytest.mark.series_emulator(
    config={"api_keys": [{"key": "sk_fast", "rate_limit": 1, "rate_limit_window": FAST_WINDOW}]}
)
async def test_rate_limit_window_resets(api: Api) -> None:
    import asyncio

    assert (await api.call("GET", "/sessions/list")).status == 200
    limited = await api.call("GET", "/sessions/list")
    assert (limited.status, limited.headers["Retry-After"]) == (429, "1")
    await asyncio.sleep(FAST_WINDOW + 0.05)
    assert (await api.call("GET", "/sessions/list")).status == 200


async def test_unknown_route_and_wrong_method_use_the_error_envelope(api: Api) -> None:
    missing = await api.call("GET", "/sessions/delete/x")
    assert (missing.status, missing.message) == (404, "Route not found")
    wrong = await api.call("DELETE", "/sessions/create")
    assert wrong.status == 405
    assert "POST" in wrong.headers["Allow"]
    assert wrong.message == "Method Not Allowed"
