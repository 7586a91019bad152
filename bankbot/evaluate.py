"""`make eval`: how well the model does on what it never saw.

Five reports, each from the real trained model: NLU accuracy per language on
the held-out phrasings (`bot.evaluate`: confusions, misses, threshold sweep;
fails below the CI floor of 92%), Rasa's own test stories, the judgement
detectors on the blind labelled sets (`bot.judgement_eval`: development set,
and test set when present; cross-validated figures; the old word lists for
comparison; fails below `tests/judgement/floors.yml`), the word-list
rules the detectors fall back on, on their own labelled set, and, through a
throw-away stack each, the complaints (`bankbot.complaints_eval`) and the
conversations and follow-ups (`bankbot.dialogue_eval`) of every labelled set
that has them.
"""

from __future__ import annotations

import argparse
import subprocess

from bankbot.complaints_eval import SETS
from bankbot.complaints_eval import main as complaints
from bankbot.dialogue_eval import main as dialogues
from common.paths import LOG_DIR, ROOT, TEST_STORIES_PATH, VAR_DIR
from pipeline import rasa
from pipeline.checkout import ensure_model

FLOOR = 0.92
STORIES = ROOT / TEST_STORIES_PATH


def _engine(*args: str) -> int:
    return subprocess.run([str(rasa.PYTHON), *args], cwd=ROOT, env=rasa.engine_env()).returncode


def main(_: argparse.Namespace | None = None) -> int:
    """Run the reports; exit 1 if any is below its floor."""
    model = ensure_model(ROOT / LOG_DIR / "train.log")
    print(f"model: {model.name}\n\n== NLU on held-out phrasings ==", flush=True)
    failures = _engine("-m", "bot.evaluate", "--model", str(model), "--min-accuracy", str(FLOOR))
    print("\n== Rasa test stories ==", flush=True)
    failures |= _engine(
        "-m", "rasa", "test", "core", "--model", str(model), "--stories", str(STORIES),
        "--out", str(ROOT / VAR_DIR / "eval" / "stories"), "--fail-on-prediction-errors",
    )  # fmt: skip
    print("\n== Judgement detectors (upset, fraud victim) ==", flush=True)
    failures |= _engine("-m", "bot.judgement_eval", "--model", str(model))
    print("\n== Word-list emotion rules (the detectors' fallback) ==", flush=True)
    failures |= _engine("-m", "bot.emotion_eval", "--lexical")
    for folder in sorted(p for p in SETS.iterdir() if p.is_dir()):
        if (folder / "complaints.yml").exists():
            print(f"\n== Complaints end to end ({folder.name}) ==", flush=True)
            failures |= complaints(["--set", folder.name])
        if (folder / "conversations.yml").exists():
            print(f"\n== Conversations and follow-ups ({folder.name}) ==", flush=True)
            failures |= dialogues(["--set", folder.name])
    print("\neval: " + ("FAILED" if failures else "all above the floor"))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
