"""Every response in the domain, both languages, follows service rule 3.

Walks ``domain/*.yml`` (core and generated FAQ responses alike, and whatever
other files add) and fails on any forbidden phrasing of docs/requirements.md, on a
response without a Chinese default variant and an English variant conditioned
on the language slot, and on a Chinese variant that is not polite. Pure YAML:
runs in the engine and the app environment.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from common.text import has_cjk
from faqs.rules import FORBIDDEN_PHRASES

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_FILES = sorted((ROOT / "domain").glob("*.yml"))

EN_CONDITION = [{"type": "slot", "name": "language", "value": "en"}]
POLITE_ZH = ("您", "请", "谢谢", "抱歉", "感谢", "好的")


def _responses() -> list[tuple[str, str, dict]]:
    out = []
    for path in DOMAIN_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variants in (data.get("responses") or {}).items():
            out.append((path.name, name, variants))
    return out


RESPONSES = _responses()
WORDED = [r for r in RESPONSES if any(v.get("text") or v.get("buttons") for v in r[2])]
"""Responses with words for the customer. One without (``utter_answer_faq``, a
payload the engine renders into other responses, bot/nlg.py) has no language."""


def _texts(variant: dict) -> list[str]:
    texts = [variant.get("text") or ""]
    texts += [b.get("title", "") for b in variant.get("buttons") or []]
    return texts


def test_there_are_responses() -> None:
    assert len(RESPONSES) >= 20


@pytest.mark.parametrize("where, name, variants", RESPONSES, ids=[r[1] for r in RESPONSES])
def test_no_forbidden_phrasing(where: str, name: str, variants: list) -> None:
    for variant in variants:
        for text in _texts(variant):
            low = text.lower()
            hits = [p for p in FORBIDDEN_PHRASES if p.lower() in low]
            assert not hits, f"{where}:{name} says {hits}: {text!r}"


@pytest.mark.parametrize("where, name, variants", WORDED, ids=[r[1] for r in WORDED])
def test_both_languages(where: str, name: str, variants: list) -> None:
    defaults = [v for v in variants if not v.get("condition")]
    english = [v for v in variants if v.get("condition") == EN_CONDITION]
    assert defaults and all(has_cjk(v.get("text", "")) for v in defaults), (
        f"{where}:{name} needs a Chinese default variant"
    )
    assert english and all(not has_cjk(v.get("text", "")) for v in english), (
        f"{where}:{name} needs an English variant on slot language = en"
    )
    for variant in defaults:
        text = variant.get("text", "")
        assert any(word in text for word in POLITE_ZH), f"{where}:{name} is not polite: {text!r}"
