"""The workspace config loader: files, mappings, and errors that name the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from series_async.testing import (
    DEFAULT_API_KEY,
    ConfigError,
    SeriesEmulator,
    WorkspaceConfig,
    load_config,
)

TOML = """
[workspace]
id = "ws-1"
name = "My Organization"
tier = "enterprise"
max_promotion_rank = 50
page_size = 5

[[api_keys]]
key = "sk_live_one"
active = false

[[api_keys]]
key = "sk_live_two"
rate_limit = 100
rate_limit_window = 30

[[ranks]]
rank = 50
name = "Staff"

[[ranks]]
rank = 1
name = "Guest"

[[members]]
user_id = "714760171"
rank = 50
username = "builderman"

[[members]]
user_id = 42
rank = 1

[[group_members]]
user_id = "261"
rank = 1
"""


def test_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "ws.toml"
    path.write_text(TOML, encoding="utf-8")
    config = load_config(path)
    assert config.workspace.name == "My Organization"
    assert config.workspace.tier == "enterprise"
    assert (config.workspace.max_promotion_rank, config.workspace.page_size) == (50, 5)
    assert [k.key for k in config.api_keys] == ["sk_live_one", "sk_live_two"]
    assert config.api_keys[1].rate_limit == 100
    assert config.api_keys[1].rate_limit_window == 30.0
    assert [r.rank for r in config.ranks] == [1, 50]  # sorted into a ladder
    assert [m.user_id for m in config.members] == ["714760171", "42"]  # ints become strings
    assert config.group_members[0].user_id == "261"
    emulator = SeriesEmulator(str(path))
    assert emulator.api_key == "sk_live_two"  # the first *active* key
    assert emulator.workspace_id == "ws-1"


def test_json_file_and_mapping_give_the_same_config(tmp_path: Path) -> None:
    mapping = {
        "workspace": {"tier": "free"},
        "members": [{"user_id": "1", "rank": 3}],
    }
    path = tmp_path / "ws.json"
    path.write_text(json.dumps(mapping), encoding="utf-8")
    assert load_config(path) == load_config(mapping)
    config = load_config(mapping)
    assert config.api_keys[0].key == DEFAULT_API_KEY
    assert load_config(config) is config


def test_none_is_the_demo_workspace() -> None:
    config = load_config(None)
    assert isinstance(config, WorkspaceConfig)
    assert config.workspace.tier == "premium"
    assert config.workspace.max_promotion_rank == 100
    assert len(config.members) >= 4
    assert min(m.rank for m in config.members) < 50  # someone too junior for a trainer role
    assert config.group_members
    assert config.api_keys[0].key == "sk_test_demo"


def test_generated_workspace_id_is_seeded() -> None:
    config: dict[str, object] = {"members": []}
    one = SeriesEmulator(config, seed=3).workspace_id
    assert one == SeriesEmulator(config, seed=3).workspace_id
    assert one != SeriesEmulator(config, seed=4).workspace_id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"workspaces": {}}, "unknown key 'workspaces'"),
        (
            {"workspace": {"tier": "gold"}},
            "workspace.tier: must be one of free, premium, enterprise",
        ),
        ({"workspace": {"nmae": "x"}}, "workspace: unknown key 'nmae'"),
        ({"workspace": {"page_size": 0}}, "workspace.page_size: must be an integer 1-1000"),
        ({"workspace": {"max_promotion_rank": 300}}, "workspace.max_promotion_rank: must be an"),
        ({"workspace": {"name": ""}}, "workspace.name: must be a non-empty string"),
        ({"workspace": []}, "workspace: must be a table/object"),
        ({"api_keys": []}, "api_keys: at least one key is required"),
        ({"api_keys": [{"key": "a b"}]}, "api_keys[0].key: must be 1-200 characters"),
        ({"api_keys": [{"key": "k", "active": "yes"}]}, "api_keys[0].active: must be true or"),
        ({"api_keys": [{"key": "k", "rate_limit": 0}]}, "api_keys[0].rate_limit: must be an"),
        (
            {"api_keys": [{"key": "k", "rate_limit_window": 0}]},
            "api_keys[0].rate_limit_window: must be a number of seconds above 0",
        ),
        ({"api_keys": [{"key": "k"}, {"key": "k"}]}, "api_keys: duplicate key 'k'"),
        ({"ranks": [{"rank": 256, "name": "x"}]}, "ranks[0].rank: must be an integer 0-255"),
        ({"ranks": [{"rank": 1}]}, "ranks[0].name: must be a non-empty string"),
        ({"ranks": [{"rank": 1, "name": "a"}, {"rank": 1, "name": "b"}]}, "ranks: duplicate rank"),
        ({"ranks": {"rank": 1}}, "ranks: must be an array of tables ([[ranks]])"),
        (
            {
                "members": [
                    {"user_id": "1", "rank": 1},
                    {"user_id": "2", "rank": 1},
                    {"user_id": "3", "rank": "high"},
                ]
            },
            "members[2].rank: must be an integer 0-255",
        ),
        ({"members": [{"user_id": "1"}]}, "members[0].rank: must be an integer 0-255 (required)"),
        ({"members": [{"user_id": "abc", "rank": 1}]}, "members[0].user_id: must be a Roblox user"),
        ({"members": [{"user_id": True, "rank": 1}]}, "members[0].user_id: must be a Roblox user"),
        ({"members": [{"user_id": "1", "rank": 1, "role": 2}]}, "members[0]: unknown key 'role'"),
        (
            {
                "members": [{"user_id": "1", "rank": 1}],
                "group_members": [{"user_id": "1", "rank": 1}],
            },
            "duplicate user_id '1'",
        ),
        (
            {"ranks": [{"rank": 1, "name": "a"}], "group_members": [{"user_id": "5", "rank": 2}]},
            "group_members[0].rank: 2 is not a rank listed in [[ranks]]",
        ),
    ],
)
def test_bad_values_are_refused_naming_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(data)
    assert message in str(info.value)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("[workspace\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: not valid TOML"):
        load_config(bad_toml)
    bad_value = tmp_path / "value.toml"
    bad_value.write_text('[[members]]\nuser_id = "1"\nrank = -1\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"members\[0\]\.rank: must be an integer 0-255"):
        load_config(bad_value)
    with pytest.raises(ConfigError, match=r"must end in \.toml or \.json"):
        load_config(tmp_path / "ws.yaml")
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path / "missing.json")
    array = tmp_path / "array.json"
    array.write_text("[]", encoding="utf-8")
    with pytest.raises(ConfigError, match="the top level must be a table/object"):
        load_config(array)


def test_emulator_refuses_a_bad_config_before_serving() -> None:
    with pytest.raises(ConfigError, match=r"workspace\.tier"):
        SeriesEmulator({"workspace": {"tier": "gold"}})


def test_a_config_without_active_key_has_no_api_key() -> None:
    emulator = SeriesEmulator({"api_keys": [{"key": "k", "active": False}]})
    with pytest.raises(RuntimeError, match="no active API key"):
        _ = emulator.api_key
