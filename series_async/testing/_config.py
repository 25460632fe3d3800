"""The emulator's workspace configuration: schema, loader and validation.

The schema is public (users write these files for their own tests) and is the
same whether it comes from a TOML file, a JSON file or a Python mapping::

    [workspace]          id, name, tier, max_promotion_rank, page_size
    [[api_keys]]         key, active, rate_limit, rate_limit_window
    [[ranks]]            rank, name
    [[members]]          user_id, rank, username
    [[group_members]]    user_id, rank

Every error names the offending key path, e.g. ``members[2].rank: must be an
integer 0-255``, so a typo in a config file is found in seconds.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, Union, cast

import attrs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_PAGE_SIZE",
    "ApiKeyConfig",
    "ConfigError",
    "ConfigSource",
    "GroupMemberConfig",
    "MemberConfig",
    "RankConfig",
    "Tier",
    "WorkspaceConfig",
    "WorkspaceSettings",
    "load_config",
]

Tier = Literal["free", "premium", "enterprise"]
_TIERS: tuple[Tier, ...] = ("free", "premium", "enterprise")

DEFAULT_PAGE_SIZE = 20
"""Sessions per ``/sessions/list`` page when ``workspace.page_size`` is absent."""

DEFAULT_API_KEY = "sk_test_demo"
"""The key a config gets when it lists no ``[[api_keys]]``."""

_USER_ID = re.compile(r"[0-9]{1,20}", re.ASCII)
# A key travels as a path segment of check-key and in a header: keep it printable.
_API_KEY = re.compile(r"[A-Za-z0-9_.~-]{1,200}", re.ASCII)


class ConfigError(ValueError):
    """A workspace config was refused; the message starts with the key path."""


@attrs.frozen(kw_only=True)
class WorkspaceSettings:
    """The ``[workspace]`` table."""

    id: str | None = None
    name: str = "Series Emulator Workspace"
    tier: Tier = "premium"
    max_promotion_rank: int = 255
    page_size: int = DEFAULT_PAGE_SIZE


@attrs.frozen(kw_only=True)
class ApiKeyConfig:
    """One ``[[api_keys]]`` entry.

    ``rate_limit`` is the number of requests the key may make per
    ``rate_limit_window`` seconds; ``None`` means unlimited.
    """

    key: str
    active: bool = True
    rate_limit: int | None = None
    rate_limit_window: float = 60.0


@attrs.frozen(kw_only=True)
class RankConfig:
    """One step of the Roblox group's rank ladder."""

    rank: int
    name: str


@attrs.frozen(kw_only=True)
class MemberConfig:
    """A workspace member (also a member of the group)."""

    user_id: str
    rank: int
    username: str | None = None


@attrs.frozen(kw_only=True)
class GroupMemberConfig:
    """A user who is in the Roblox group but not in the workspace."""

    user_id: str
    rank: int


@attrs.frozen(kw_only=True)
class WorkspaceConfig:
    """A whole, validated workspace config. Build one with :func:`load_config`."""

    workspace: WorkspaceSettings = attrs.field(factory=WorkspaceSettings)
    api_keys: tuple[ApiKeyConfig, ...] = (ApiKeyConfig(key=DEFAULT_API_KEY),)
    ranks: tuple[RankConfig, ...] = ()
    members: tuple[MemberConfig, ...] = ()
    group_members: tuple[GroupMemberConfig, ...] = ()


ConfigSource = Union[WorkspaceConfig, Mapping[str, object], str, "os.PathLike[str]", None]


def load_config(source: ConfigSource = None) -> WorkspaceConfig:
    """Build a validated :class:`WorkspaceConfig`.

    Args:
        source: ``None`` for the built-in demo workspace; a path to a ``.toml``
            or ``.json`` file; a mapping with the documented keys; or an
            already built :class:`WorkspaceConfig` (returned as is).

    Returns:
        The validated config.

    Raises:
        ConfigError: The file cannot be read or parsed, or a key is unknown,
            missing or has a bad value. The message names the key path.
    """
    if source is None:
        from series_async.testing._demo_workspace import DEMO_WORKSPACE

        return parse_config(DEMO_WORKSPACE)
    if isinstance(source, WorkspaceConfig):
        return source
    if isinstance(source, Mapping):
        return parse_config(source)
    return parse_config(_read_file(Path(os.fspath(source))))


def _read_file(path: Path) -> Mapping[str, object]:
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise ConfigError(f"{path}: config files must end in .toml or .json")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or exc}") from exc
    try:
        data: object = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not valid {suffix[1:].upper()}: {exc}") from exc
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: the top level must be a table/object")
    return cast("Mapping[str, object]", data)


def parse_config(data: Mapping[str, object]) -> WorkspaceConfig:
    """Validate a config mapping; see :func:`load_config`."""
    _only_keys(data, "", ("workspace", "api_keys", "ranks", "members", "group_members"))
    workspace = _parse_workspace(_table(data.get("workspace", {}), "workspace"))
    keys = tuple(_parse_key(item, path) for item, path in _array(data, "api_keys"))
    if "api_keys" not in data:
        keys = (ApiKeyConfig(key=DEFAULT_API_KEY),)
    elif not keys:
        raise ConfigError("api_keys: at least one key is required")
    ranks = tuple(_parse_rank(item, path) for item, path in _array(data, "ranks"))
    members = tuple(_parse_member(item, path) for item, path in _array(data, "members"))
    group = tuple(_parse_group_member(item, path) for item, path in _array(data, "group_members"))
    _check_unique([k.key for k in keys], "api_keys", "key")
    _check_unique([r.rank for r in ranks], "ranks", "rank")
    _check_unique([m.user_id for m in members] + [g.user_id for g in group], "", "user_id")
    _check_ladder(ranks, members, group)
    return WorkspaceConfig(
        workspace=workspace,
        api_keys=keys,
        ranks=tuple(sorted(ranks, key=lambda r: r.rank)),
        members=members,
        group_members=group,
    )


def _parse_workspace(table: Mapping[str, object]) -> WorkspaceSettings:
    path = "workspace"
    _only_keys(table, path, ("id", "name", "tier", "max_promotion_rank", "page_size"))
    defaults = WorkspaceSettings()
    ws_id = _opt_str(table, path, "id")
    tier = table.get("tier", defaults.tier)
    if tier not in _TIERS:
        raise ConfigError(f"{path}.tier: must be one of free, premium, enterprise")
    return WorkspaceSettings(
        id=ws_id,
        name=_opt_str(table, path, "name") or defaults.name,
        tier=tier,
        max_promotion_rank=_rank(table, path, "max_promotion_rank", defaults.max_promotion_rank),
        page_size=_int(table, path, "page_size", defaults.page_size, 1, 1000),
    )


def _parse_key(item: Mapping[str, object], path: str) -> ApiKeyConfig:
    _only_keys(item, path, ("key", "active", "rate_limit", "rate_limit_window"))
    key = item.get("key")
    if not isinstance(key, str) or not _API_KEY.fullmatch(key):
        raise ConfigError(f"{path}.key: must be 1-200 characters of A-Z a-z 0-9 _ . ~ -")
    active = item.get("active", True)
    if not isinstance(active, bool):
        raise ConfigError(f"{path}.active: must be true or false")
    limit: int | None = None
    if "rate_limit" in item:
        limit = _int(item, path, "rate_limit", 0, 1, 10**9)
    window = item.get("rate_limit_window", 60.0)
    if isinstance(window, bool) or not isinstance(window, (int, float)) or not window > 0:
        raise ConfigError(f"{path}.rate_limit_window: must be a number of seconds above 0")
    return ApiKeyConfig(key=key, active=active, rate_limit=limit, rate_limit_window=float(window))


def _parse_rank(item: Mapping[str, object], path: str) -> RankConfig:
    _only_keys(item, path, ("rank", "name"))
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{path}.name: must be a non-empty string")
    return RankConfig(rank=_rank(item, path, "rank", None), name=name)


def _parse_member(item: Mapping[str, object], path: str) -> MemberConfig:
    _only_keys(item, path, ("user_id", "rank", "username"))
    return MemberConfig(
        user_id=_user_id(item, path),
        rank=_rank(item, path, "rank", None),
        username=_opt_str(item, path, "username"),
    )


def _parse_group_member(item: Mapping[str, object], path: str) -> GroupMemberConfig:
    _only_keys(item, path, ("user_id", "rank"))
    return GroupMemberConfig(user_id=_user_id(item, path), rank=_rank(item, path, "rank", None))


def _check_unique(values: list[str] | list[int], array: str, key: str) -> None:
    seen: set[object] = set()
    for value in values:
        if value in seen:
            where = f"{array}: " if array else "members/group_members: "
            raise ConfigError(f"{where}duplicate {key} {value!r}")
        seen.add(value)


def _check_ladder(
    ranks: tuple[RankConfig, ...],
    members: tuple[MemberConfig, ...],
    group: tuple[GroupMemberConfig, ...],
) -> None:
    # A Roblox user's rank is always one of the group's roles; with no ladder
    # configured the ranking endpoints answer "No roles configured" instead.
    if not ranks:
        return
    ladder = {r.rank for r in ranks}
    people: list[tuple[str, MemberConfig | GroupMemberConfig]] = [
        (f"members[{i}]", m) for i, m in enumerate(members)
    ]
    people += [(f"group_members[{i}]", g) for i, g in enumerate(group)]
    for path, person in people:
        if person.rank not in ladder:
            raise ConfigError(f"{path}.rank: {person.rank} is not a rank listed in [[ranks]]")


# --- small typed readers -------------------------------------------------------------


def _only_keys(table: Mapping[str, object], path: str, allowed: tuple[str, ...]) -> None:
    for key in table:
        if key not in allowed:
            where = f"{path}: " if path else ""
            raise ConfigError(f"{where}unknown key {key!r} (expected one of: {', '.join(allowed)})")


def _table(value: object, path: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{path}: must be a table/object")
    return cast("Mapping[str, object]", value)


def _array(data: Mapping[str, object], key: str) -> list[tuple[Mapping[str, object], str]]:
    value = data.get(key, ())
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ConfigError(f"{key}: must be an array of tables ([[{key}]])")
    return [(_table(item, f"{key}[{i}]"), f"{key}[{i}]") for i, item in enumerate(value)]


def _opt_str(table: Mapping[str, object], path: str, key: str) -> str | None:
    value = table.get(key)
    if value is None and key not in table:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}.{key}: must be a non-empty string")
    return value


def _int(
    table: Mapping[str, object], path: str, key: str, default: int | None, low: int, high: int
) -> int:
    if key not in table and default is not None:
        return default
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        missing = " (required)" if key not in table else ""
        raise ConfigError(f"{path}.{key}: must be an integer {low}-{high}{missing}")
    return value


def _rank(table: Mapping[str, object], path: str, key: str, default: int | None) -> int:
    return _int(table, path, key, default, 0, 255)


def _user_id(table: Mapping[str, object], path: str) -> str:
    value = table.get("user_id")
    # TOML users naturally write ids as integers; accept them and keep strings inside.
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        value = str(value)
    if not isinstance(value, str) or not _USER_ID.fullmatch(value):
        raise ConfigError(f"{path}.user_id: must be a Roblox user id (digits only)")
    return value
