"""Score a trained model on held-out phrasings; runs in the ENGINE environment.

`python -m bankbot.nlu_eval MODEL TESTSET...` loads the model with Rasa's own
Agent (the same code path as serving), parses every test phrasing and prints
one JSON line per phrasing: text, expected, predicted, confidence, language.
A FAQ is scored by the ResponseSelector's key (faq/<id>), since the intent
`faq` alone says nothing about which answer the customer gets (Rasa #9751).
Only the standard library and Rasa are imported here.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def language_of(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


def load_examples(paths: list[str]) -> list[tuple[str, str]]:
    """(text, expected intent) from Rasa NLU YAML files, entity markup removed."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in paths:
        data = load_data(path)
        for message in data.intent_examples:
            intent = message.get("intent")
            key = message.get("intent_response_key") or intent
            examples.append((message.get("text"), key))
    return examples


def predicted_key(parsed: dict) -> tuple[str, float]:
    intent = parsed.get("intent") or {}
    name, confidence = intent.get("name") or "", float(intent.get("confidence") or 0.0)
    if name == "faq":
        selector = (parsed.get("response_selector") or {}).get("faq", {})
        response = selector.get("response") or {}
        key = response.get("intent_response_key")
        if key:
            return key, float(response.get("confidence") or 0.0)
    return name, confidence


async def evaluate(model: str, paths: list[str]) -> None:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    for text, expected in load_examples(paths):
        parsed = await agent.parse_message(text)
        predicted, confidence = predicted_key(parsed)
        print(
            json.dumps(
                {
                    "text": text,
                    "expected": expected,
                    "predicted": predicted,
                    "confidence": round(confidence, 4),
                    "language": language_of(text),
                },
                ensure_ascii=False,
            ),
            flush=True,
        )


if __name__ == "__main__":
    if len(sys.argv) < 3 or not Path(sys.argv[1]).exists():
        sys.exit("usage: python -m bankbot.nlu_eval MODEL TESTSET.yml...")
    asyncio.run(evaluate(sys.argv[1], sys.argv[2:]))
