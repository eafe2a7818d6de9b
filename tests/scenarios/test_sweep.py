"""`charter sweep`: the matrix, the engines agreeing row for row, resuming, the report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from charter.scenarios import library_files
from charter.scenarios.sweep import execute, plan
from charter.scenarios.sweep_matrix import Variant, parse_seeds, parse_vary
from charter.scenarios.sweep_report import TITLES, figures, write_report
from charter.scenarios.sweep_row import Row

from .conftest import cli


def _file(name: str) -> Path:
    return next(p for p in library_files() if p.stem == name)


FILES = [_file("pipeline-failure"), _file("authority-denials")]
POLICIES = parse_vary(["pm_policy=approve,deny"])


def _comparable(rows: list[Row]) -> list[Row]:
    """Rows without the wall-clock time, the one column two runs of a cell may differ in."""
    return sorted(
        ({k: v for k, v in row.items() if k != "wall_seconds"} for row in rows),
        key=lambda r: (str(r["scenario"]), int(r["seed"] or 0), str(r["variant"])),
    )


def test_seeds_and_vary_parse() -> None:
    assert parse_seeds("1..3") == [1, 2, 3]
    assert parse_seeds("5,2,5") == [2, 5]
    assert parse_seeds("7") == [7]
    variants = parse_vary(["pm_policy=approve,deny", "fault_rate=0,0.10"])
    assert [v.label for v in variants] == [
        "fault_rate=0.0,pm_policy=approve",
        "fault_rate=0.0,pm_policy=deny",
        "fault_rate=0.1,pm_policy=approve",
        "fault_rate=0.1,pm_policy=deny",
    ]
    assert parse_vary([]) == [Variant()]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--seeds", "5..1"], "--seeds '5..1': the range runs backwards"),
        (["--seeds", "a-b"], "--seeds 'a-b': expected a range like 1..200"),
        (["--vary", "colour=red"], "unknown field 'colour' (can vary: fault_rate, pm_policy)"),
        (["--vary", "pm_policy=wait"], "pm_policy value 'wait': expected approve or deny"),
        (["--vary", "fault_rate=1.5"], "fault_rate value '1.5': expected a number from 0 to 1"),
        (["--vary", "pm_policy"], "expected NAME=V1,V2"),
        (["--brain", "nobody=claude"], "--brain 'nobody=claude': unknown role 'nobody'"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    args: list[str],
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "sweep"
    code = cli(monkeypatch, "sweep", str(FILES[0]), *args, "--out", str(out))
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("charter: ") and expected in err, err
    assert not out.exists()  # bad input changes nothing


def test_pool_matches_serial_and_resume_skips_finished_cells(tmp_path: Path) -> None:
    seeds = [1, 2]
    serial_plan = plan(FILES[:1], seeds, POLICIES, tmp_path / "serial")
    serial = execute(serial_plan.todo, tmp_path / "serial", engine="serial")
    pooled_plan = plan(FILES[:1], seeds, POLICIES, tmp_path / "pool")
    pooled = execute(pooled_plan.todo, tmp_path / "pool", engine="pool", workers=2)
    assert len(serial) == 4
    assert _comparable(serial) == _comparable(pooled)
    deny = [r for r in pooled if r["variant"] == "pm_policy=deny"]
    assert deny and all(r["pm_policy"] == "deny" for r in deny)
    # each cell played in its own run directory
    assert len({r["run_dir"] for r in pooled}) == 4
    assert all((tmp_path / "pool" / str(r["run_dir"]) / "run.json").exists() for r in pooled)

    # A re-run finds every cell done; growing the matrix runs only the new cells.
    again = plan(FILES[:1], seeds, POLICIES, tmp_path / "pool")
    assert again.todo == []
    grown = plan(FILES[:1], [1, 2, 3], POLICIES, tmp_path / "pool")
    assert sorted(c.key for c in grown.todo) == [
        ("pipeline-failure", 3, "pm_policy=approve"),
        ("pipeline-failure", 3, "pm_policy=deny"),
    ]
    ran: list[Row] = []
    rows = execute(grown.todo, tmp_path / "pool", engine="serial", on_row=ran.append)
    assert len(ran) == 2 and len(rows) == 6
    # finished rows were kept as they were (their wall time too: not played again)
    kept = {(r["scenario"], r["seed"], r["variant"]): r for r in rows}
    for row in pooled:
        assert kept[(row["scenario"], row["seed"], row["variant"])] == row
    csv_lines = (tmp_path / "pool" / "results.csv").read_text(encoding="utf-8").splitlines()
    assert len(csv_lines) == 7 and csv_lines[0].startswith("scenario,seed,variant,")


def test_cli_sweep_resumes_and_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    args = ["sweep", str(FILES[0]), "--seeds", "1..2", "--vary", "pm_policy=approve,deny"]
    code = cli(monkeypatch, *args, "--out", str(out), "--workers", "2")
    first = capsys.readouterr().out
    # the deny policy makes pipeline-failure's review expectations fail
    assert code == 1
    assert "4 cells, 0 already done, running 4" in first
    assert (out / "report" / "index.html").exists()
    code = cli(monkeypatch, *args, "--out", str(out))
    assert code == 1
    assert "4 cells, 4 already done, running 0" in capsys.readouterr().out


def _rows_for_report(tmp_path: Path) -> list[Row]:
    cells = plan(FILES[:1], [1], POLICIES, tmp_path).todo
    return execute(cells, tmp_path, engine="serial")


def test_report_plots_what_it_claims(tmp_path: Path) -> None:
    rows = _rows_for_report(tmp_path)
    figs = figures(rows)
    assert set(figs) == {"pass_rate", "escalations", "decision_latency"}
    bars = figs["pass_rate"].axes[0]
    assert bars.get_title() == TITLES["pass_rate"]
    assert bars.get_ylabel() == "pass rate"
    # one bar per (scenario, variant), its height the pass rate: approve passes, deny fails
    heights = [patch.get_height() for patch in bars.patches]
    labels = [t.get_text() for t in bars.get_xticklabels()]
    assert labels == ["pipeline-failure\npm_policy=approve", "pipeline-failure\npm_policy=deny"]
    assert heights == [1.0, 0.0]
    escalations = figs["escalations"].axes[0]
    assert escalations.get_title() == TITLES["escalations"]
    assert escalations.get_xlabel() == "escalations in one cell"
    latency = figs["decision_latency"].axes[0]
    assert latency.get_title() == TITLES["decision_latency"]
    assert latency.get_xlabel().startswith("seconds from escalation to PM decision")

    page = write_report(rows, tmp_path)
    html = page.read_text(encoding="utf-8")
    from matplotlib.image import imread

    for key in figs:
        png = page.parent / f"{key}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        height, width = imread(png).shape[:2]
        assert width >= 600 and height == 450  # figsize x dpi 100
        assert f'src="{key}.png"' in html


def test_row_counts_escalations_by_trigger_and_severity(tmp_path: Path) -> None:
    rows = _rows_for_report(tmp_path)
    approve = next(r for r in rows if r["variant"] == "pm_policy=approve")
    assert approve["escalations"] == 1
    assert json.loads(str(approve["escalations_by"])) == {"Pipeline Failures|immediate": 1}
    assert approve["decision_latency_s"] is not None
    assert approve["llm_cost_usd"] is None  # no Claude brains, no usage events
    assert approve["expect_passed"] == approve["expect_total"] == 6


def test_fault_rate_zero_drops_the_scripted_fault(tmp_path: Path) -> None:
    variants = parse_vary(["fault_rate=0,1"])
    rows = execute(plan(FILES[:1], [1], variants, tmp_path).todo, tmp_path, engine="serial")
    by_rate = {r["fault_rate"]: r for r in rows}
    assert by_rate[1.0]["escalations"] == 1
    assert by_rate[0.0]["escalations"] == 0  # no failed pipeline run, nothing to escalate


@pytest.fixture
def local_ray() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.mark.slow
def test_pool_and_local_ray_give_identical_rows(tmp_path: Path, local_ray: None) -> None:
    seeds = [1, 2, 3]
    pool_plan = plan(FILES, seeds, POLICIES, tmp_path / "pool")
    assert len(pool_plan.todo) == 12
    pooled = execute(pool_plan.todo, tmp_path / "pool", engine="pool", workers=2)
    ray_plan = plan(FILES, seeds, POLICIES, tmp_path / "ray")
    on_ray = execute(ray_plan.todo, tmp_path / "ray", engine="ray")
    assert len(on_ray) == 12
    assert _comparable(pooled) == _comparable(on_ray)


def test_ray_option_takes_an_optional_address() -> None:
    from charter.cli.sweep import _ray_words

    assert _ray_words(["a.yaml", "--ray"]) == ["a.yaml", "--ray=local"]
    assert _ray_words(["--ray", "a.yaml"]) == ["--ray=local", "a.yaml"]
    assert _ray_words(["--ray", "10.0.0.5:6379", "a.yaml"]) == ["--ray", "10.0.0.5:6379", "a.yaml"]
    assert _ray_words(["--ray", "auto"]) == ["--ray", "auto"]
    assert _ray_words(["a.yaml", "--seeds", "1..3"]) == ["a.yaml", "--seeds", "1..3"]


def test_claude_brains_in_a_sweep_bill_each_cell(tmp_path: Path) -> None:
    """--brain/--llm reach every cell (here the mock model): the row has the run's cost."""
    from charter.scenarios.sweep import execute, plan
    from charter.scenarios.sweep_cell import BrainChoice

    todo = plan([FILES[0]], [1], parse_vary([]), tmp_path)
    thinking = BrainChoice(specs=("data=claude",), llm="live", mock_model=True)
    (row,) = execute(todo.todo, tmp_path, engine="serial", brains=thinking)
    assert row["llm_cost_usd"] is not None and float(row["llm_cost_usd"]) > 0
