"""`charter data check --format gx`: the outcome as a GX validation result."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest

from charter.cli.main import run

SUITE = """\
name: orders
table: orders
checks:
  - expect_column_values_to_not_be_null: {column: email}
  - expect_column_values_to_be_unique: {column: id}
  - expect_column_mean_to_be_between: {column: amount, min_value: 0, max_value: 10}
  - expect_column_values_to_be_between: {column: nope, min_value: 0}
"""


def test_gx_format_reports_each_check_and_the_statistics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE orders (id INTEGER, email TEXT, amount REAL)")
        connection.executemany(
            "INSERT INTO orders VALUES (?, ?, ?)",
            [(1, "a@x.org", 5.0), (2, None, 7.0), (2, "c@x.org", 9.0), (4, "d@x.org", 3.0)],
        )
    connection.close()
    suite = tmp_path / "suite.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["charter", "data", "check", str(db), str(suite),
                                      "--format", "gx"])  # fmt: skip
    with pytest.raises(SystemExit) as exited:
        run()
    assert exited.value.code == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["success"] is False and payload["suite_name"] == "orders"
    assert payload["statistics"] == {
        "evaluated_expectations": 4,
        "successful_expectations": 1,
        "unsuccessful_expectations": 3,
        "success_percent": 25.0,
    }
    nulls, unique, mean, broken = payload["results"]
    assert nulls["expectation_config"]["type"] == "expect_column_values_to_not_be_null"
    assert nulls["result"]["unexpected_count"] == 1 and nulls["result"]["element_count"] == 4
    assert nulls["result"]["unexpected_percent"] == 25.0
    assert unique["result"]["partial_unexpected_list"] == [2, 2]
    assert mean["success"] is True and mean["result"] == {"observed_value": 6.0}
    assert broken["exception_info"]["raised_exception"] is True
    assert "nope" in broken["exception_info"]["exception_message"]
    monkeypatch.setattr(sys, "argv", ["charter", "data", "check", str(db), str(suite),
                                      "--format", "yaml"])  # fmt: skip
    with pytest.raises(SystemExit) as exited:
        run()
    assert exited.value.code == 2 and "expected text, json or gx" in capsys.readouterr().err
