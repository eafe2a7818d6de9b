"""Context ranking details on both backends: IDF weighting, the common-word cap, widening."""

from __future__ import annotations

import pytest

from charter.memory import MemoryInput, RunStore, retrieval
from charter.protocols import MemoryKind

from .conftest import START


def _bulk(store: RunStore, contents: list[str], *, agent: str = "data") -> list[str]:
    return store.add_memories(
        [
            MemoryInput(agent=agent, kind=MemoryKind.PATTERN, content=text, created_at=START)
            for text in contents
        ]
    )


def test_a_rare_word_outweighs_a_common_one(store: RunStore) -> None:
    _bulk(store, [f"vacuum routine {n}" for n in range(20)])
    [both, rare, common] = _bulk(
        store, ["vacuum deadlock seen", "deadlock in staging", "vacuum in staging"]
    )
    snippets = store.prepare_context(agent="data", query="vacuum deadlock", now=START, per_kind=3)
    # Both words > the rare word alone > the common word alone (newest of the commons).
    assert [s.id for s in snippets] == [both, rare, common]
    assert snippets[0].score > snippets[1].score > snippets[2].score


def test_words_past_the_posting_cap_are_stop_words(
    store: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retrieval, "POSTING_CAP", 3)
    lag = _bulk(store, [f"replica lag sample {n}" for n in range(5)])
    [rare] = _bulk(store, ["watermark stuck"])
    # "lag" is in 5 memories (> 3): only "watermark" counts.
    found = store.prepare_context(agent="data", query="lag watermark", now=START)
    assert [s.id for s in found] == [rare]
    # Every word too common: the newest memories of that word, all equally relevant.
    found = store.prepare_context(agent="data", query="lag", now=START, per_kind=3)
    assert [s.id for s in found] == [lag[4], lag[3], lag[2]]


def test_candidates_widen_past_other_agents_matches(store: RunStore) -> None:
    [mine, _unrelated] = _bulk(store, ["replica lag paged the on-call", "cache tuning"])
    # Newer, equally relevant matches of another agent fill the first candidate set.
    _bulk(store, [f"replica lag note {n}" for n in range(2 * retrieval.TEXT_CANDIDATES)],
          agent="engineer")  # fmt: skip
    found = store.prepare_context(agent="data", query="replica lag", now=START)
    # Not the no-match fallback either (that would bring the unrelated memory too).
    assert [s.id for s in found] == [mine]
