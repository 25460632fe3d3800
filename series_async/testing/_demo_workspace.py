"""The built-in demo workspace: what ``SeriesEmulator()`` serves with no config.

A premium workspace with a realistic rank ladder, a host, trainers, a low-rank
member (to show a refused claim), a group-only member (ranking works on them,
custom roles do not) and one revoked key. The demo, the pytest fixture and the
``series-emulator`` command all start from it.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "DEMO_API_KEY",
    "DEMO_GROUP_ONLY",
    "DEMO_HOST",
    "DEMO_LOW_RANK",
    "DEMO_TRAINEE",
    "DEMO_TRAINER",
    "DEMO_WORKSPACE",
]

DEMO_API_KEY = "sk_test_demo"
DEMO_HOST = "714760171"  # rank 100, Manager
DEMO_TRAINER = "2143265871"  # rank 50, Senior Staff
DEMO_TRAINEE = "3020518862"  # rank 20, Junior Staff
DEMO_LOW_RANK = "4173392009"  # rank 5, Trainee
DEMO_GROUP_ONLY = "5569120347"  # rank 5, in the group but not the workspace

DEMO_WORKSPACE: Mapping[str, object] = {
    "workspace": {
        "id": "a7d5339a-5531-4336-99c6-6f3249c9ac20",
        "name": "Demo Training Group",
        "tier": "premium",
        "max_promotion_rank": 100,
        "page_size": 20,
    },
    "api_keys": [
        {"key": DEMO_API_KEY, "active": True},
        {"key": "sk_test_revoked", "active": False},
    ],
    "ranks": [
        {"rank": 1, "name": "Guest"},
        {"rank": 5, "name": "Trainee"},
        {"rank": 20, "name": "Junior Staff"},
        {"rank": 50, "name": "Senior Staff"},
        {"rank": 100, "name": "Manager"},
        {"rank": 200, "name": "Director"},
        {"rank": 255, "name": "Owner"},
    ],
    "members": [
        {"user_id": DEMO_HOST, "rank": 100, "username": "HostHannah"},
        {"user_id": DEMO_TRAINER, "rank": 50, "username": "TrainerTom"},
        {"user_id": DEMO_TRAINEE, "rank": 20, "username": "StaffSky"},
        {"user_id": DEMO_LOW_RANK, "rank": 5, "username": "RookieRiley"},
    ],
    "group_members": [
        {"user_id": DEMO_GROUP_ONLY, "rank": 5},
    ],
}
