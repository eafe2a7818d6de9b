"""The MCP layer over the desk: the official SDK's low-level server on stdio.

The low-level server (not `MCPServer`, the SDK's decorator layer) because the tools'
schemas come from our own argument models — `send` takes a field named `from`, which no
Python parameter can be called — and because the desk validates arguments itself, so a
malformed call gets the desk's one-line reason and is recorded like any other call.

Tools answer with a one-line summary (plus the structured answer as JSON) in `content` and
the structured answer in `structuredContent`; a refusal is a tool error (`isError`) whose
text is the reason. Resources: `charter://charters` (the team) and
`charter://charters/{role}` (one charter, YAML)."""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import mcp_types as types
import yaml
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from .arguments import input_schema
from .desk import TOOLS, Desk

TEAM_URI = "charter://charters"
CHARTER_URI = TEAM_URI + "/{role}"

INSTRUCTIONS = (
    "Charter: this team's writing authorities, escalation triggers and coordination "
    "protocols, enforced. Ask check_write before writing a file; escalate through your "
    "charter's triggers (the charter sets the severity); send protocol messages with send "
    "and read yours with inbox; the PM decides escalations with decide. Read the charters "
    f"as resources under {TEAM_URI}."
)


def _charter_version() -> str:
    try:
        return version("charter")
    except PackageNotFoundError:  # running from a source tree without metadata
        return "0"


def build_server(desk: Desk) -> Server[Any]:
    """The MCP server offering `desk`'s tools and the team's charters."""

    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=spec.name,
                    description=spec.description,
                    input_schema=input_schema(spec.arguments),
                )
                for spec in TOOLS.values()
            ]
        )

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        # Synchronous on purpose: calls are served one at a time, in the order they came,
        # so the store records them in that order.
        result = desk.call(params.name, params.arguments)
        text = result.summary
        if result.ok and result.data:
            text += "\n" + json.dumps(result.data, ensure_ascii=False, indent=2)
        return types.CallToolResult(
            content=[types.TextContent(text=text)],
            structured_content=result.data if result.ok else None,
            is_error=not result.ok,
        )

    async def list_resources(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        listed = [
            types.Resource(
                name="charters",
                uri=TEAM_URI,
                description="The team: every role with its title, kind and description.",
                mime_type="application/json",
            )
        ]
        for role, charter in sorted(desk.team.roles.items()):
            listed.append(
                types.Resource(
                    name=f"charter-{role}",
                    title=charter.title,
                    uri=CHARTER_URI.format(role=role),
                    description=f"{role}'s charter: writing authorities, escalation "
                    "triggers, activation, coordination partners, memory, metrics.",
                    mime_type="application/yaml",
                )
            )
        return types.ListResourcesResult(resources=listed)

    async def read_resource(
        ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        uri = str(params.uri)
        mime, text = resource_text(desk, uri)
        return types.ReadResourceResult(
            contents=[types.TextResourceContents(uri=uri, mime_type=mime, text=text)]
        )

    return Server(
        "charter",
        version=_charter_version(),
        title="Charter",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_read_resource=read_resource,
    )


def resource_text(desk: Desk, uri: str) -> tuple[str, str]:
    """(MIME type, text) of the resource at `uri`; an unknown one is an invalid-params
    protocol error naming what exists."""
    if uri == TEAM_URI:
        team = [
            {
                "role": role,
                "title": charter.title,
                "kind": charter.kind,
                "description": charter.description,
                "uri": CHARTER_URI.format(role=role),
                "decides_escalations": role == desk.coordinator,
            }
            for role, charter in sorted(desk.team.roles.items())
        ]
        return "application/json", json.dumps(team, ensure_ascii=False, indent=2)
    prefix = TEAM_URI + "/"
    role = uri[len(prefix) :] if uri.startswith(prefix) else None
    charter = desk.team.roles.get(role) if role is not None else None
    if charter is None:
        raise MCPError(
            code=types.INVALID_PARAMS,
            message=f"no resource {uri!r}; expected {TEAM_URI} or {prefix}<role> with a role "
            f"of {', '.join(sorted(desk.team.roles))}",
        )
    document = charter.model_dump(mode="json", exclude_defaults=True)
    return "application/yaml", yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


async def serve_stdio(desk: Desk) -> None:
    """Serve `desk` on this process's stdin/stdout until the client closes stdin."""
    from mcp.server.stdio import stdio_server

    server = build_server(desk)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def serve(desk: Desk) -> None:
    import anyio

    anyio.run(serve_stdio, desk)


__all__ = ["CHARTER_URI", "TEAM_URI", "build_server", "resource_text", "serve", "serve_stdio"]
