"""`charter mcp`: the team's coordination offered to MCP clients (Claude Code, ...).

`arguments` holds the tools' typed inputs (their JSON schemas are what clients see),
`desk` does the work on a run store with the same rules as the simulated gate, and
`server` is the thin MCP layer (the official SDK's low-level server over stdio)."""
