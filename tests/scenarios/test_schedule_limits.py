"""Schedules and starts that cannot work are refused when the scenario loads: a cron with
no date, an interval of zero, a start at the calendar's end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from charter.protocols import ConfigError
from charter.scenarios import load_scenario

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios" / "library"


def _scenario(tmp_path: Path, **changes: Any) -> Path:
    data = yaml.safe_load((LIBRARY / "pipeline-failure.yaml").read_text())
    data.update(changes)
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"schedules": [{"role": "data", "cron": "0 0 31 2 *"}]}, "never fires"),
        ({"schedules": [{"role": "data", "interval": "0s"}]}, "longer than zero"),
        ({"schedules": [{"role": "data", "interval": "-5m"}]}, "expected e.g. '30m'"),
        ({"start": "9999-12-31T23:00:00Z"}, "too late for a run's calendar"),
    ],
)
def test_an_impossible_schedule_or_start_is_one_line_at_load(
    tmp_path: Path, changes: dict[str, Any], said: str
) -> None:
    path = _scenario(tmp_path, **changes)
    with pytest.raises(ConfigError, match=said) as refused:
        load_scenario(path)
    assert str(refused.value).startswith(f"{path}:")
    assert "\n" not in str(refused.value)


def test_a_rare_but_real_cron_is_accepted(tmp_path: Path) -> None:
    path = _scenario(tmp_path, schedules=[{"role": "data", "cron": "0 0 29 2 *"}])
    assert load_scenario(path).scenario.schedules[0].cron == "0 0 29 2 *"
