"""The team's writing authorities, compiled to JSON for the guard's hot path.

Loading role files means YAML and pydantic validation (~130 ms in a fresh process); the
authority engine needs only each role's path rules and the team's precedence entries. The
first guard call (or `charter export claude-code`) loads the team the full way and writes
those rules, with every pattern's compiled globs and pathspec's regexes (so neither the
brace expansion nor pathspec runs again), to `guard-team-<files hash>.json` in the user's
cache folder (`$CHARTER_CACHE_DIR`, else `$XDG_CACHE_HOME/charter`, else
`~/.cache/charter`; never the project, so a refused hook call changes nothing there),
keyed on every source file's path, modification time (ns) and size; later calls read that
JSON into the plain classes below, which satisfy the engine's `TeamLike` protocol. A
changed, added or removed role file changes the key, and the team is loaded and validated
again.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from charter.graph.authority.team_rules import TeamLike

FORMAT = 2  # 2: compiled globs stored too


# Plain classes, not dataclasses: `dataclasses` imports `inspect` and `ast` (~15 ms), and
# these are built once per process and never compared.
class Rule:
    __slots__ = ("exceptions", "pattern")

    def __init__(self, pattern: str, exceptions: tuple[str, ...] = ()) -> None:
        self.pattern = pattern
        self.exceptions = exceptions


class Authorities:
    __slots__ = ("exclusive", "forbidden", "shared")

    def __init__(
        self, exclusive: tuple[Rule, ...], forbidden: tuple[Rule, ...], shared: tuple[Rule, ...]
    ) -> None:
        self.exclusive, self.forbidden, self.shared = exclusive, forbidden, shared


class RoleRules:
    __slots__ = ("authorities",)

    def __init__(self, authorities: Authorities) -> None:
        self.authorities = authorities


class Precedence:
    __slots__ = ("owner", "pattern")

    def __init__(self, pattern: str, owner: str) -> None:
        self.pattern, self.owner = pattern, owner


class CompiledTeam:
    __slots__ = ("precedence", "roles")

    def __init__(self, roles: dict[str, RoleRules], precedence: tuple[Precedence, ...]) -> None:
        self.roles, self.precedence = roles, precedence


def source_files(team_files: Sequence[Path] | None) -> list[Path]:
    """The files the team is read from: the given ones, else the shipped charters."""
    if team_files:
        return [Path(os.path.abspath(path)) for path in team_files]
    import charter.agents  # light: its names load lazily

    shipped = Path(charter.agents.__file__).resolve().parent / "charters"
    return sorted(shipped.glob("*.yaml"))


def cache_folder() -> Path:
    given = os.environ.get("CHARTER_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "charter"


def cache_path(files: Sequence[Path]) -> Path:
    # names the file only (the key inside is what is checked); crc32 spares hashlib's import
    digest = zlib.crc32("\n".join(map(str, files)).encode())
    return cache_folder() / f"guard-team-{digest:08x}.json"


def load_compiled(team_files: Sequence[Path] | None) -> CompiledTeam:
    """The team's rules from the cache when it is current, else loaded (and validated) the
    full way and cached. Raises ConfigError for a bad or missing role file."""
    files = source_files(team_files)
    key = _key(files)
    path = cache_path(files)
    if key is not None:
        try:
            data = json.loads(path.read_bytes())
            if data.get("format") == FORMAT and data.get("key") == key:
                team = from_json(data)
                from charter.agents.globs import remember_globs, remember_translations

                remember_translations(data["translations"])
                remember_globs(data["globs"])
                return team
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # missing or damaged: rebuilt below
    return compile_team(team_files, key=key)


def compile_team(
    team_files: Sequence[Path] | None, *, key: list[Any] | None = None
) -> CompiledTeam:
    """Load the team the full way (YAML, pydantic, conflict checks) and write the cache."""
    from charter.agents.team import load_team

    files = source_files(team_files)
    if key is None:
        key = _key(files)
    from charter.agents.globs import compiled_globs, translations
    from charter.graph.authority.claims import ClaimIndex

    team = load_team(list(team_files) if team_files else None)
    ClaimIndex(team, 0, lazy=True)  # translates every pattern the engine will need
    data = to_json(team, key)
    data["translations"] = translations()
    data["globs"] = compiled_globs(
        {
            source
            for charter in team.roles.values()
            for group in (
                charter.authorities.exclusive,
                charter.authorities.forbidden,
                charter.authorities.shared,
            )
            for rule in group
            for source in (rule.pattern, *rule.exceptions)
        }
    )
    if key is not None:  # a file that vanished meanwhile: do not cache a guess
        _write_atomically(cache_path(files), json.dumps(data, indent=1))
    return from_json(data)


def to_json(team: TeamLike, key: list[Any] | None) -> dict[str, Any]:
    def rules(group: Sequence[Any]) -> list[list[Any]]:
        return [[rule.pattern, list(rule.exceptions)] for rule in group]

    return {
        "format": FORMAT,
        "key": key,
        "roles": {
            role: {
                "exclusive": rules(charter.authorities.exclusive),
                "forbidden": rules(charter.authorities.forbidden),
                "shared": rules(charter.authorities.shared),
            }
            for role, charter in team.roles.items()
        },
        "precedence": [[entry.pattern, entry.owner] for entry in team.precedence],
    }


def from_json(data: dict[str, Any]) -> CompiledTeam:
    def rules(items: list[list[Any]]) -> tuple[Rule, ...]:
        return tuple(
            Rule(str(pattern), tuple(map(str, exceptions))) for pattern, exceptions in items
        )

    roles = {
        str(role): RoleRules(
            Authorities(rules(body["exclusive"]), rules(body["forbidden"]), rules(body["shared"]))
        )
        for role, body in data["roles"].items()
    }
    precedence = tuple(Precedence(str(p), str(o)) for p, o in data["precedence"])
    return CompiledTeam(roles, precedence)


def _key(files: Sequence[Path]) -> list[Any] | None:
    try:
        return [[str(path), *_stamp(os.stat(path))] for path in files]
    except OSError:
        return None  # the full loader names the missing file


def _stamp(status: os.stat_result) -> tuple[int, int]:
    return status.st_mtime_ns, status.st_size


def _write_atomically(path: Path, text: str) -> None:
    # Several hooks may rebuild at once: each writes its own temporary file and renames it
    # into place, so a reader sees an old whole file or a new whole file.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # an unwritable run folder costs speed, not correctness
