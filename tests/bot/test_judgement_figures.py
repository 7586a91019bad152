"""bot/judgement_figures.py and the labelled sets' format and size."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.conftest import import_engine_module

data = import_engine_module("bot.judgement_data")
fig = import_engine_module("bot.judgement_figures")

pytestmark = pytest.mark.engine_env

ROOT = Path(__file__).resolve().parents[2]


def outcome(label: str, score: float, flag: bool, language: str = "en", kind=None):
    detector = "upset" if label in ("upset", "calm") else "fraud"
    example = data.Example("t", language, label, "anger" if label == "upset" else None, detector)
    return fig.Outcome(example, score, flag, kind)


def test_upset_figures_count_false_alarms_on_calm_messages() -> None:
    outcomes = [
        outcome("upset", 0.9, True, kind="anger"),
        outcome("upset", 0.8, True, kind="distress"),
        outcome("upset", 0.2, False),
        outcome("calm", 0.7, True),
        *[outcome("calm", 0.1, False) for _ in range(9)],
    ]
    f = fig.figures(outcomes, "upset", "en")
    assert (f.tp, f.fn, f.fp, f.tn) == (2, 1, 1, 9)
    assert f.recall == pytest.approx(2 / 3) and f.precision == pytest.approx(2 / 3)
    assert f.false_alarm == pytest.approx(0.1) and f.kind_right == 1
    assert fig.below_floors([f], {"upset": {"en": {"recall": 0.9, "false_alarm": 0.02}}}) == [
        "upset en: recall 66.7% < 90.0%",
        "upset en: false_alarm 10.0% > 2.0%",
    ]
    assert fig.below_floors([f], {"upset": {"en": {"recall": 0.5}}}) == []


def test_fraud_figures_keep_prevention_apart_from_other() -> None:
    outcomes = [
        outcome("victim", 0.9, True),
        outcome("prevention", 0.6, True),
        outcome("prevention", 0.1, False),
        outcome("other", 0.7, True),
    ]
    f = fig.figures(outcomes, "fraud_victim", "en")
    assert f.prevention_kept == pytest.approx(0.5)
    assert (f.others, f.others_flagged) == (1, 1)
    assert "prevention kept" in f.line()


def test_reliability_bins_and_brier() -> None:
    outcomes = [outcome("upset", 0.95, True), outcome("calm", 0.05, False)]
    assert fig.figures(outcomes, "upset", "en").brier == pytest.approx(0.0025)
    rows = fig.reliability(outcomes)
    assert [(b, n) for b, n, _, _ in rows] == [("0.0-0.2", 1), ("0.8-1.0", 1)]


def test_best_threshold_puts_false_alarms_first_for_upset() -> None:
    outcomes = [outcome("upset", s, s >= 0.5) for s in (0.3, 0.6, 0.9)]
    outcomes += [outcome("calm", s, s >= 0.5) for s in (0.1, 0.55)]
    best = fig.best_threshold(outcomes, "upset", "en")
    assert best is not None and best[0] == 0.56 and best[2] == 0.0


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_training_data_is_big_enough_and_mostly_hard_negatives(language: str) -> None:
    folder = ROOT / "data" / "judgement"
    upset = [e for e in data.load(folder, "upset") if e.language == language]
    calm = [e for e in upset if e.label == "calm"]
    hard = [e for e in calm if e.kind not in ("ordinary", "positive")]
    assert len(upset) >= 1000 and len(hard) >= 0.4 * len(upset)
    fraud = [e for e in data.load(folder, "fraud") if e.language == language]
    assert len(fraud) >= 300 and {e.label for e in fraud} == {"victim", "prevention", "other"}


def test_a_malformed_labelled_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "upset_en.yml"
    path.write_text("judgement: upset\nlanguage: en\nexamples:\n  - text: hi\n    label: happy\n")
    with pytest.raises(data.LabelledSetError):
        data.read_file(path)


def test_more_files_of_a_detector_are_read_after_its_main_file(tmp_path: Path) -> None:
    def write(name: str, language: str, text: str) -> None:
        (tmp_path / name).write_text(
            f"judgement: fraud\nlanguage: {language}\nexamples:\n"
            f"  - {{text: \"{text}\", label: victim, kind: money_sent}}\n"
        )

    write("fraud_en.was-test.yml", "en", "second")
    write("fraud_en.yml", "en", "first")
    write("fraud_zh.yml", "zh", "第一")
    write("upset_en.was-test.yml", "en", "not fraud")  # another detector's: not read
    texts = [e.text for e in data.load(tmp_path, "fraud")]
    assert texts == ["第一", "first", "second"]
