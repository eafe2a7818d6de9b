"""Brains beyond the rule policies: `ClaudeBrain` (the Messages API with the agent's allowed
actions as tools) and the helpers that build them for a run. Importing this package does
not import `anthropic`; only a call does."""

from .claude import DEFAULT_MODEL, OVERRUN_TRIGGER, ClaudeBrain, ClaudeSettings
from .prompt import system_prompt, user_message
from .setup import (
    LLM_MODES,
    AIRunConfig,
    BrainKind,
    LlmMode,
    bind_usage_events,
    claude_brains,
    load_ai_config,
    parse_brain_specs,
    resolve_mode,
)
from .tools import Allowed, parse_tool_call, tool_definitions

__all__ = [
    "DEFAULT_MODEL",
    "LLM_MODES",
    "OVERRUN_TRIGGER",
    "AIRunConfig",
    "Allowed",
    "BrainKind",
    "ClaudeBrain",
    "ClaudeSettings",
    "LlmMode",
    "bind_usage_events",
    "claude_brains",
    "load_ai_config",
    "parse_brain_specs",
    "parse_tool_call",
    "resolve_mode",
    "system_prompt",
    "tool_definitions",
    "user_message",
]
