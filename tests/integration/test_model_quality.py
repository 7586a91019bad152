"""CI's floor on understanding: the trained model on phrasings it never saw.

`make eval` prints the full report; here the suite fails when NLU accuracy on
the held-out test set drops below 92% in either language, or the emotion
detector below its precision/recall floors.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bankbot.evaluate import FLOOR
from common.paths import ROOT
from pipeline import rasa

pytestmark = pytest.mark.integration


def run_engine(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(rasa.PYTHON), *args], cwd=ROOT, env=rasa.engine_env(), capture_output=True, text=True
    )


def test_nlu_accuracy_on_held_out_phrasings_is_above_the_floor(trained_model: Path) -> None:
    result = run_engine(
        "-m", "bot.evaluate", "--model", str(trained_model), "--min-accuracy", str(FLOOR)
    )
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "zh: accuracy" in result.stdout and "en: accuracy" in result.stdout


def test_emotion_detector_meets_its_precision_and_recall_floors() -> None:
    result = run_engine("-m", "bot.emotion_eval")
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "precision" in result.stdout and "recall" in result.stdout
