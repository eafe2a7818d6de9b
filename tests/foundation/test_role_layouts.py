"""`charter roles import` on the successor layouts of the seed's role files.

One fixture per layout (written for these tests, `role_files/`): emoji headings with other
names for the sections, the short layout with a single unclassified escalation list and
numbered KPIs, authorities written straight under "Writing Authorities" with patterns in
prose and leading `/` and `./`, and a file whose authorities are prose only. Each test
lists every pattern, trigger and activation the file states, so anything missed or
invented fails, and checks the prose is reported.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.agents.role_import import (
    TODO_SEVERITY,
    ImportResult,
    import_role_file,
    import_role_markdown,
)
from charter.agents.role_markdown import HEADINGS
from charter.agents.team import load_charter
from charter.protocols import ConfigError

from .conftest import write
from .test_cli import charter

FILES = Path(__file__).parent / "role_files"


def _rules(result: ImportResult, kind: str) -> list[tuple[str, str]]:
    return [(r.pattern, r.note) for r in getattr(result.charter.authorities, kind)]


def _names(triggers: list[object]) -> list[tuple[str, list[str]]]:
    return [(t.name, t.signals) for t in triggers]  # type: ignore[attr-defined]


def _prose(result: ImportResult, kind: str) -> list[str]:
    head = f"{kind}: prose, not a pattern; write patterns for: "
    return [item.removeprefix(head) for item in result.unresolved if item.startswith(head)]


def test_emoji_headings_and_other_section_names() -> None:
    result = import_role_file(FILES / "emoji_sections.md")
    charter_ = result.charter
    assert (charter_.role, charter_.title, charter_.kind, charter_.model) == (
        "reporting",
        "Reporting Agent",
        "specialist",
        "claude-haiku",
    )
    assert _rules(result, "exclusive") == [
        ("**/dashboards/", "Dashboards"),  # a named item holding a pattern
        ("**/reports/**", "Report sources and templates"),  # two patterns, one item
        ("**/report-templates/", "Report sources and templates"),
        ("exports/*.csv", "Scheduled exports"),
        ("exports/*.xlsx", "Scheduled exports"),
        ("styles/charts/", "Chart themes (`styles/charts/`)"),  # from prose, prose as note
    ]
    prose_note = "Anything under the deployment folders (`deploy/`, `k8s/`)"
    assert _rules(result, "forbidden") == [("deploy/", prose_note), ("k8s/", prose_note)]
    assert _prose(result, "exclusive") == [
        "**Report Definitions**: Saved report layouts and their queries"
    ]
    assert _prose(result, "forbidden") == [
        "Application business logic (Engineer agent territory)",
        "Running `rm -rf exports` by hand",  # a command in backticks is no pattern
    ]
    notes = "\n".join(result.unresolved)
    assert "`rm -rf exports` is code, not a path pattern" in notes
    assert "patterns styles/charts/ taken from prose" in notes
    assert "patterns deploy/, k8s/ taken from prose" in notes
    assert _names(charter_.escalation.immediate) == [
        ("Data Breach", ["data_breach"]),
        ("Report Outage", []),
    ]
    assert _names(charter_.escalation.standard) == [("Data Quality Issues", ["data_quality_alert"])]
    assert result.unclassified == []  # "Context Needed from Other Agents" is no trigger list
    assert _names(charter_.activation.automatic) == [
        ("Schema Changes", ["schema_changed"]),
        ("Report Drift", []),
    ]
    assert "automatic trigger 'Report Drift': no known signal kind" in notes
    assert [(t.name, t.keywords) for t in charter_.activation.manual] == [
        ("New Dashboard Requests", ["new", "dashboard", "requests"])
    ]
    assert [(m.key, m.comparison, m.target, m.unit) for m in charter_.success_metrics] == [
        ("report_freshness", "<", 120.0, "min"),
        ("build_success_rate", ">", 0.98, ""),
    ]
    assert charter_.coordination == [] and charter_.memory == []


def test_short_layout_with_unclassified_triggers(tmp_path: Path) -> None:
    result = import_role_file(FILES / "short_layout.md")
    charter_ = result.charter
    assert (charter_.role, charter_.kind, charter_.model) == ("reporting", "core", "claude-3-haiku")
    assert _rules(result, "exclusive") == [
        ("**/reports/**", "Report sources"),
        ("/dashboards/", "Dashboard definitions at the top of the workspace"),
        ("exports/weekly.csv", "The weekly export"),
    ]
    assert _rules(result, "forbidden") == [
        ("**/*.sql", "Editing `**/*.sql` migrations (Data Agent territory)")
    ]
    assert _prose(result, "forbidden") == ["Writing application code (Engineer Agent territory)"]
    # a list with no severity: imported, never given one
    assert charter_.escalation.immediate == [] and charter_.escalation.standard == []
    assert [(t["name"], t.get("signals", [])) for t in result.unclassified] == [
        ("Report Outage", []),
        ("Data Breach", ["data_breach"]),
        ("Stale Sources", []),
    ]
    todo = [item for item in result.unresolved if TODO_SEVERITY in item]
    assert len(todo) == 3 and "'Stale Sources'" in todo[2]
    assert charter_.activation.automatic == [] and charter_.activation.manual == []
    assert [(m.key, m.comparison, m.target) for m in charter_.success_metrics] == [
        ("report_freshness", "<", 120.0),
        ("build_success_rate", ">", 0.98),
    ]
    # The written charter keeps them under escalation.unclassified, and will not load until
    # a person gives each a severity.
    path = write(tmp_path / "reporting.yaml", result.to_yaml())
    with pytest.raises(ConfigError, match=r"line \d+: escalation.unclassified: 3 trigger"):
        load_charter(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pending = data["escalation"].pop("unclassified")
    data["escalation"]["immediate"], data["escalation"]["standard"] = pending[:2], pending[2:]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    loaded = load_charter(path)
    assert [t.name for t in loaded.escalation.immediate] == ["Report Outage", "Data Breach"]


def test_flat_authorities_prose_patterns_and_leading_slashes() -> None:
    result = import_role_file(FILES / "flat_authorities.md")
    charter_ = result.charter
    assert (charter_.role, charter_.title) == ("integration", "Integration Agent")
    prose = "Source code of the connectors (`connectors/`, `./adapters/`)"
    assert _rules(result, "exclusive") == [
        ("connectors/", prose),
        ("adapters/", prose),  # `./` dropped
        ("/integrations/**", "Integration definitions"),  # leading `/` kept: root-anchored
        ("webhooks.yaml", "Partner settings"),
        ("/config/partners.yaml", "Partner settings"),
    ]
    assert _rules(result, "forbidden") == [("**/auth/**", "Authentication stays with Security")]
    assert _prose(result, "forbidden") == ["Database migrations"]
    assert [t["name"] for t in result.unclassified] == ["Integration Failures", "Contract Break"]
    assert _names(charter_.activation.automatic) == [
        ("Integration Failures", ["integration_failed"])
    ]


def test_leading_slash_patterns_match_from_the_root(tmp_path: Path) -> None:
    from charter.agents.team import load_team
    from charter.graph.authority import AuthorityEngine

    result = import_role_file(FILES / "flat_authorities.md")
    data = yaml.safe_load(result.to_yaml())
    data["escalation"] = {"standard": data["escalation"].pop("unclassified")}
    path = write(tmp_path / "integration.yaml", yaml.safe_dump(data))
    engine = AuthorityEngine(load_team([path]), tmp_path)
    assert engine.verdict("integration", "config/partners.yaml").allowed
    assert not engine.verdict("integration", "sub/config/partners.yaml").allowed
    assert engine.verdict("integration", "integrations/stripe.yaml").allowed
    assert engine.verdict("integration", "deep/webhooks.yaml").allowed  # no slash: any depth


def test_prose_only_file_is_exit_2_naming_what_it_found(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "writer.yaml"
    source = FILES / "prose_only.md"
    assert charter(["roles", "import", str(source), "-o", str(out)], monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "no writing authorities" in err
    assert "'exclusive permissions', 'authority scope', 'forbidden operations'" in err
    assert "(4 prose items)" in err and "--keep-prose" in err
    assert not out.exists()


def test_keep_prose_writes_the_charter_with_prose_as_todo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "writer.yaml"
    args = ["roles", "import", str(FILES / "prose_only.md"), "--keep-prose", "-o", str(out)]
    assert charter(args, monkeypatch) == 0
    text = out.read_text(encoding="utf-8")
    for prose in [
        "User guides and tutorials",
        "**File Operations**: Read and write the user guides",
        "**Release Notes**: Draft the notes for each release",
        "Source code (Engineer territory)",
    ]:
        assert f"# TODO: {'forbidden' if 'Source' in prose else 'exclusive'}: prose" in text
        assert prose in text
    data = yaml.safe_load(text)
    assert data["role"] == "writer" and "authorities" not in data  # nothing invented
    assert "will not load until you write one" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="no writing authorities"):
        load_charter(out)


def test_no_exclusive_heading_names_the_headings(tmp_path: Path) -> None:
    path = write(tmp_path / "x.md", "# X Agent\n## Role\nWrites.\n## Tools\n- a\n")
    with pytest.raises(ConfigError, match=r"no section like .*the file's headings: 'x agent', "):
        import_role_file(path)


def test_unclassified_command_output_lists_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert charter(["roles", "import", str(FILES / "short_layout.md")], monkeypatch) == 0
    captured = capsys.readouterr()
    assert "escalation:\n  unclassified:\n  - name: Report Outage" in captured.out
    assert "note: escalation trigger 'Report Outage': TODO severity" in captured.err
    assert "note: 3 escalation trigger(s) need a severity (TODO severity)" in captured.err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", "NUL character"),
        (b"# X Agent\n\xff\xfe bad\n", "not UTF-8"),
    ],
)
def test_binary_or_non_utf8_is_one_line_exit_2(
    content: bytes,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "role.md"
    source.write_bytes(content)
    out = tmp_path / "out.yaml"
    assert charter(["roles", "import", str(source), "-o", str(out)], monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert not out.exists()


def test_bad_backticked_text_in_prose_is_skipped_and_reported() -> None:
    text = (
        "# X Agent\n### Exclusive Write Access\n- Stuff like `a//b` and `src/`\n"
        "- Only `x//y` here\n"
    )
    result = import_role_markdown(text, source="x.md")
    assert [r.pattern for r in result.charter.authorities.exclusive] == ["src/"]
    notes = "\n".join(result.unresolved)
    assert "pattern 'a//b': empty path segment" in notes and "patterns src/ taken" in notes
    assert "prose, not a pattern; write patterns for: Only `x//y` here" in notes


_HEADING_NAMES = [name for names in HEADINGS.values() for name in names] + [
    "Primary Role",
    "Security Authority",
    "Tools",
]
_ITEMS = [
    "- `src/**` - code",
    "- `a/`, `b/*.py` - two",
    "- **Named**: `docs/`",
    "- Prose with (`lib/`) inside",
    "- Plain prose",
    "- Run `make all` first",
    "1. **Data Breach**: numbered",
    "- **Widget Storm**: something",
    "* `/anchored/x.md`",
    "- `./dot/`",
    "- `bad//pattern` in a sentence",
]
_line = st.one_of(
    st.tuples(
        st.sampled_from(["##", "###"]),
        st.sampled_from(["", "✅ ", "‚úÖ "]),
        st.sampled_from(_HEADING_NAMES),
    ).map(lambda t: f"{t[0]} {t[1]}{t[2].title()}"),
    st.sampled_from(_ITEMS),
    st.sampled_from(["```bash", "```", "# comment in a block?", "text"]),
)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(_line, max_size=25), keep=st.booleans())
def test_import_never_crashes_and_invents_nothing(lines: list[str], keep: bool) -> None:
    text = "# Fuzz Agent Role Definition\n" + "\n".join(lines) + "\n"
    try:
        result = import_role_markdown(text, source="f.md", keep_prose=keep)
    except ConfigError as error:
        assert "\n" not in str(error) and str(error).startswith("f.md")
        return
    ticked = {span.strip().removeprefix("./") for span in re.findall(r"`([^`\n]+)`", text)}
    auth = result.charter.authorities
    for rule in [*auth.exclusive, *auth.forbidden]:
        assert rule.pattern in ticked  # every pattern was written in backticks
    if not keep:
        assert auth.exclusive


def test_an_exclusive_heading_ending_in_authority_is_read_once() -> None:
    text = "# X Agent\n## Exclusive Writing Authority\n- `a/` - A\n## Data Authority\n- `b/` - B\n"
    result = import_role_markdown(text)
    assert [(r.pattern, r.note) for r in result.charter.authorities.exclusive] == [
        ("a/", "A"),
        ("b/", "B"),
    ]
