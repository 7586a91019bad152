"""pipeline.gate: a candidate goes live only if it understands customers as well."""

from __future__ import annotations

from pipeline.gate import judge


def record(text: str, expected: str, predicted: str) -> dict:
    return {"text": text, "expected": expected, "predicted": predicted, "confidence": 0.9,
            "language": "en", "source": "t"}  # fmt: skip


def test_the_gate_compares_with_the_live_model_and_the_floor() -> None:
    live = [record(f"q{i}", "a", "a") for i in range(100)]
    same = judge(live, live, floor=0.92, margin=0.01)
    assert same["passed"] and same["worse"] == []

    one_worse = [record("q0", "a", "b")] + live[1:]
    verdict = judge(one_worse, live, floor=0.92, margin=0.01)
    assert verdict["passed"]  # 99% vs 100%: within one point
    assert verdict["worse"] == [
        {"text": "q0", "expected": "a", "candidate": "b", "confidence": 0.9}
    ]

    two_worse = [record("q0", "a", "b"), record("q1", "a", "b")] + live[2:]
    verdict = judge(two_worse, live, floor=0.92, margin=0.01)
    assert not verdict["passed"] and "below the live model" in verdict["reasons"][0]
    assert len(verdict["worse"]) == 2

    poor = [record(f"q{i}", "a", "b" if i < 10 else "a") for i in range(100)]
    verdict = judge(poor, None, floor=0.92, margin=0.01)
    assert not verdict["passed"] and "at least 92%" in verdict["reasons"][0]
