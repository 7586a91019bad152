"""The learned detectors on the blind labelled sets, against the floors.

The floors live in tests/judgement/floors.yml (one entry per set folder under
tests/judgement/sets/); every set there whose folder exists is checked. The
detector is the one ``rasa train`` makes from data/judgement (conftest).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from tests.bot.conftest import import_engine_module

judgement_data = import_engine_module("bot.judgement_data")
figures_module = import_engine_module("bot.judgement_figures")
judgement = import_engine_module("bot.judgement")
Message = import_engine_module("rasa.shared.nlu.training_data.message").Message

pytestmark = pytest.mark.engine_env

ROOT = Path(__file__).resolve().parents[2]
SETS = ROOT / "tests" / "judgement" / "sets"
FLOORS = figures_module.load_floors()
CHECKED = sorted(name for name in FLOORS if (SETS / name).is_dir())


@functools.cache
def training_examples(source: str) -> tuple:
    """The detector's training data, read once (seconds of YAML per read)."""
    return tuple(judgement_data.load(ROOT / "data" / "judgement", source))


def outcomes(detector, folder: Path, name: str) -> list:
    source = figures_module.DETECTOR_OF[name]
    examples = judgement_data.load(folder, source)
    seen = figures_module.overlap(examples, training_examples(source))
    out = []
    for example in examples:
        if example.text in seen:
            continue
        verdict = detector.judge(Message(data={"text": example.text}))[name]
        out.append(
            figures_module.Outcome(example, verdict["score"], verdict["flag"], verdict.get("kind"))
        )
    return out


def test_the_development_set_has_floors() -> None:
    assert "dev" in CHECKED, "tests/judgement/floors.yml must set floors for the dev set"


@pytest.mark.parametrize("set_name", CHECKED)
@pytest.mark.parametrize("name", ["upset", "fraud_victim"])
def test_the_detector_meets_its_floors(judgement_detector, set_name: str, name: str) -> None:
    found = [
        figures_module.figures(outcomes(judgement_detector, SETS / set_name, name), name, lang)
        for lang in ("zh", "en")
    ]
    for f in found:
        print(f.line())
    assert figures_module.below_floors(found, FLOORS[set_name]) == []


def test_plain_questions_of_the_held_out_nlu_set_stay_calm(judgement_detector) -> None:
    """Most customers ask plain questions: the upset detector must leave them to the bot."""
    evaluate = import_engine_module("bot.evaluate")
    nlu = import_engine_module("bot.judgement_nlu")
    calm = judgement_detector.config["calm_intents"]
    outcomes = []
    for text, intent in evaluate.read_test_set(evaluate.DEFAULT_TEST_FILES):
        if not nlu._matches(intent, calm):
            continue
        language = judgement.language_of(text)
        example = judgement_data.Example(text, language, "calm", intent, "upset")
        verdict = judgement_detector.judge(Message(data={"text": text}))["upset"]
        outcomes.append(figures_module.Outcome(example, verdict["score"], verdict["flag"]))
    found = [figures_module.figures(outcomes, "upset", lang) for lang in ("zh", "en")]
    assert all(f.negatives >= 300 for f in found)
    assert figures_module.below_floors(found, FLOORS["nlu"]) == []


def test_prevention_questions_are_not_taken_for_upset(judgement_detector) -> None:
    """A scam turned down, told calmly, gets the prevention answer, not a person for emotion.

    Over every checked set's prevention questions, in each language, at most
    3% flagged upset (the detector trained without the fraud sets' prevention
    questions as calm examples flagged 24-32% in Chinese, 15-19% in English).
    """
    for language in ("zh", "en"):
        asked = [
            example
            for name in CHECKED
            for example in judgement_data.load(SETS / name, "fraud")
            if example.label == "prevention" and example.language == language
        ]
        flagged = [
            e.text
            for e in asked
            if judgement_detector.judge(Message(data={"text": e.text}))["upset"]["flag"]
        ]
        assert len(asked) >= 300
        assert len(flagged) <= 0.03 * len(asked), (language, len(flagged), len(asked), flagged[:5])
