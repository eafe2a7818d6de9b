"""Building Claude brains for a run: `--brain data=claude` and `--llm off|live|record|replay|mock`.

- `off` (the default without an API key): rule brains only;
- `live`: the real API (needs a key);
- `record`: like live (or over the mock server with `mock=True`), saving every exchange to
  `cassette.json` in the run directory;
- `replay`: offline from that cassette, failing loudly on an unseen request;
- `mock`: offline against the built-in mock server.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import Field, ValidationError

from charter.inputs import safe_yaml
from charter.protocols import Clock, ConfigError, StrictModel, Team

from ..ai.client import AIClient, AIConfig
from ..ai.keys import ApiKey, load_api_key
from ..ai.limits import FollowClock, Sleep
from ..brain import Brain
from .claude import ClaudeBrain, ClaudeSettings

if TYPE_CHECKING:
    import httpx2

    from ..ai.mock import MockModel

LlmMode = Literal["off", "live", "record", "replay", "mock"]
BrainKind = Literal["rule", "claude"]
LLM_MODES: tuple[str, ...] = get_args(LlmMode)


def parse_brain_specs(specs: Iterable[str], team: Team) -> dict[str, BrainKind]:
    """`["data=claude", "architect=rule"]` -> {"data": "claude", "architect": "rule"}."""
    out: dict[str, BrainKind] = {}
    for spec in specs:
        role, sep, kind = spec.partition("=")
        role, kind = role.strip(), kind.strip()
        if not sep or not role:
            raise ConfigError(f"--brain {spec!r}: expected ROLE=KIND, e.g. data=claude")
        if role not in team.roles:
            raise ConfigError(
                f"--brain {spec!r}: unknown role {role!r}; expected one of {', '.join(team.roles)}"
            )
        if kind not in ("rule", "claude"):
            raise ConfigError(f"--brain {spec!r}: unknown brain {kind!r}; expected rule or claude")
        out[role] = kind  # type: ignore[assignment]  # checked just above
    return out


def resolve_mode(llm: str | None, key: ApiKey | None) -> LlmMode:
    if llm is None:
        return "live" if key is not None else "off"
    if llm not in LLM_MODES:
        raise ConfigError(f"--llm {llm!r}: expected one of {', '.join(LLM_MODES)}")
    return llm  # type: ignore[return-value]  # checked just above


class AIRunConfig(StrictModel):
    """A run's AI settings file (YAML): the client's limits and budgets, the default brain
    settings, and per-role overrides (model, temperature, max_tokens, context budget).

        client: {requests_per_minute: 20, budgets: {per_run: {usd: 1.50}}}
        default: {context_tokens: 1000}
        roles: {data: {model: claude-sonnet, max_tokens: 2048}}
    """

    client: AIConfig = Field(default_factory=AIConfig)
    default: ClaudeSettings = Field(default_factory=ClaudeSettings)
    roles: dict[str, ClaudeSettings] = Field(default_factory=dict)

    def settings_for(self, role: str) -> ClaudeSettings:
        return self.roles.get(role, self.default)


def load_ai_config(path: Path | str) -> AIRunConfig:
    """Read an AI run config; a bad file is one ConfigError naming the key at fault."""
    where = Path(path)
    data = safe_yaml(where, "AI config") or {}
    try:
        return AIRunConfig.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = ".".join(str(part) for part in first["loc"]) or "top level"
        raise ConfigError(f"AI config {where}: {loc}: {first['msg']}") from None


def _no_wait(seconds: float) -> None:
    return None


def _real_and_followed(follow: FollowClock) -> Sleep:
    def sleep(seconds: float) -> None:
        time.sleep(seconds)
        follow.sleep(seconds)

    return sleep


def claude_brains(
    team: Team,
    kinds: Mapping[str, BrainKind],
    *,
    llm: str | None,
    run_dir: Path | str,
    clock: Clock | None = None,
    key: ApiKey | None = None,
    key_file: Path | str | None = None,
    config: AIConfig | None = None,
    settings: Mapping[str, ClaudeSettings] | None = None,
    scenario: str | None = None,
    seed: int = 0,
    sleep: Sleep | None = None,
    mock: MockModel | bool = False,
    inner: httpx2.BaseTransport | None = None,
    tools: Mapping[str, str] | None = None,
    run_config: AIRunConfig | None = None,
    cassette: Path | str | None = None,
) -> tuple[dict[str, Brain], AIClient | None]:
    """The Claude brains asked for (each falling back to its role's rule brain) and the
    shared client, or ({}, None) when the mode is `off` or nobody asked for Claude.

    Without a `clock` the client follows the run time its agents are shown (for runners
    that build their own clock); offline modes never block on a wait."""
    wanted = [role for role, kind in kinds.items() if kind == "claude"]
    if run_config is not None:
        config = config or run_config.client
        settings = {**{r: run_config.settings_for(r) for r in wanted}, **(settings or {})}
        for role in run_config.roles:
            if role not in team.roles:
                raise ConfigError(
                    f"AI config roles: unknown role {role!r}; expected one of "
                    f"{', '.join(team.roles)}"
                )
    if key is None and llm not in ("replay", "mock", "off"):
        key = load_api_key(key_file=key_file)
    mode = resolve_mode(llm, key)
    if mode == "off" or not wanted:
        return {}, None
    from ..ai.cassette import CASSETTE_NAME, RecordingTransport, ReplayTransport
    from ..ai.mock import MockModel

    # Replay may read a cassette from elsewhere; recording always writes into the run.
    source = Path(cassette) if cassette is not None else Path(run_dir) / CASSETTE_NAME
    target = Path(run_dir) / CASSETTE_NAME
    server = mock if isinstance(mock, MockModel) else (MockModel() if mock else None)
    transport: httpx2.BaseTransport | None
    if mode == "replay":
        transport, key = ReplayTransport(source), None
    elif mode == "mock":
        transport, key = (server or MockModel()).transport(), None
    else:
        if server is not None:
            base, key = inner or server.transport(), None
        else:
            if key is None:
                raise ConfigError(
                    f"--llm {mode}: no API key; set ANTHROPIC_API_KEY or give a "
                    "key file (mode 0600)"
                )
            import httpx2

            base = inner or httpx2.HTTPTransport()
        transport = RecordingTransport(base, target) if mode == "record" else base
    real_network = mode in ("live", "record") and server is None
    if clock is None:
        # No run clock at hand (a scenario runner makes its own): follow the views' instants.
        follow = FollowClock()
        clock = follow
        if sleep is None:
            sleep = _real_and_followed(follow) if real_network else follow.sleep
    elif sleep is None and not real_network:
        sleep = _no_wait  # nothing to wait for offline; the waits are still recorded
    client = AIClient(
        key=key,
        clock=clock,
        config=config,
        sleep=sleep,
        transport=transport,
        scenario=scenario,
        seed=seed,
    )
    if tools is None:
        from ..tools import default_tools

        tools = default_tools().describe()
    from ..policies import RuleBrain

    brains: dict[str, Brain] = {}
    for role in wanted:
        brains[role] = ClaudeBrain(
            role,
            client,
            fallback=RuleBrain(role),
            settings=(settings or {}).get(role),
            tools=tools,
        )
    return brains, client


def bind_usage_events(
    brains: Mapping[str, Brain], emit: Callable[[Any], object], run_id: str
) -> int:
    """Make every ClaudeBrain among `brains` write its usage as `AIUsage` run events through
    `emit` (e.g. `orchestrator.rt.emit`); returns how many were bound."""
    bound = 0
    for brain in brains.values():
        if isinstance(brain, ClaudeBrain):
            brain.bind_events(emit, run_id)
            bound += 1
    return bound


__all__ = [
    "LLM_MODES",
    "AIRunConfig",
    "BrainKind",
    "LlmMode",
    "bind_usage_events",
    "claude_brains",
    "load_ai_config",
    "parse_brain_specs",
    "resolve_mode",
]
