"""Charter in front of Claude Code: the PreToolUse guard (`hook`), what a Bash command
writes (`bash_writes`) and the record each guard call leaves in the run store (`record`).
Imports stay light: a hook runs as a fresh process per tool call."""
