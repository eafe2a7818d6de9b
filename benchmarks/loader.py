"""Cost of the untrusted-input front door (issue 14): a ~1 MB scenario-shaped YAML file
read with `charter.inputs.safe_yaml` (type/size/text checks, event pass, compose, tree
walk, construct) vs plain `yaml.safe_load` of the same text, in the same run."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from charter.inputs import safe_yaml


def scenario_text(target: int = 1024 * 1024) -> str:
    lines = ["name: big", "seed: 7", "timeline:"]
    index = 0
    while sum(len(line) + 1 for line in lines) < target:
        lines += [
            f"  - at: {index % 24:02d}:{index % 60:02d}",
            f"    message: {{from: data, to: pm, text: 'load step {index} finished'}}",
        ]
        index += 1
    return "\n".join(lines) + "\n"


def best(run: Callable[[], object], rounds: int = 2) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    text = scenario_text()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.yaml"
        path.write_text(text, encoding="utf-8")
        assert safe_yaml(path, "scenario file") == yaml.safe_load(text)
        plain = best(lambda: yaml.safe_load(path.read_text(encoding="utf-8")))
        front = best(lambda: safe_yaml(path, "scenario file"))
    print(f"file: {len(text) / 1024 / 1024:.2f} MB")
    print(f"yaml.safe_load (baseline): {plain:.2f} s CPU")
    print(f"charter.inputs.safe_yaml:  {front:.2f} s CPU  ({front / plain:.2f}x baseline)")


if __name__ == "__main__":
    main()
