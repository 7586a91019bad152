"""Small FAQ content trees for the checker and renderer tests."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from faqs.checks import check
from faqs.files import format_faq
from faqs.model import Faq, Problem
from faqs.render import render as render_files_into

REPO = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------- fixtures

CATALOG = textwrap.dedent(
    """\
    bank:
      name_en: Demo Bank
      hotline: "95-000"
    faqs:
      - id: card_fee
        zh: 换卡要钱吗？
        en: Does a new card cost anything?
        facts:
          - A replacement card costs 5 CNY; cards above 10,000 CNY limits are free.
      - id: opening_hours
        zh: 几点开门？
        en: When do you open?
        facts:
          - Branches open 09:00-17:00.
    """
)


def sample_faq(**overrides: object) -> Faq:
    base = Faq(
        id="card_fee",
        category="cards",
        question={"zh": "换卡要钱吗？", "en": "Does a new card cost anything?"},
        answer={
            "zh": "您好，换卡工本费 5 元，额度在 10,000 元以上的卡免费。"
            "以本行公布的收费标准为准，实际以账户协议为准。",
            "en": "Hello! A replacement card costs 5 CNY; cards above 10,000 CNY limits are free "
            "(from the published fee schedule; your account agreement is final).",
        },
        examples={
            "zh": ("换卡多少钱", "补张卡要钱吗", "换新卡收费不"),
            "en": ("new card fee", "how much for a replacement card", "does a new card cost money"),
        },
        test={"zh": ("换卡收费吗",), "en": ("replacement card cost",)},
    )
    return dataclasses.replace(base, **overrides)  # type: ignore[arg-type]


def hours_faq() -> Faq:
    return Faq(
        id="opening_hours",
        category="branches",
        question={"zh": "几点开门？", "en": "When do you open?"},
        answer={
            "zh": "您好，网点营业时间为 09:00-17:00。",
            "en": "Hello! Branches open 09:00-17:00.",
        },
        examples={
            "zh": ("几点开门", "营业时间", "你们几点关门"),
            "en": ("opening hours", "what time do you open", "when do you close"),
        },
        test={"zh": ("几点营业",), "en": ("branch hours",)},
    )


def write_tree(root: Path, faqs: list[Faq], *, render: bool = True) -> Path:
    (root / "content" / "faqs").mkdir(parents=True, exist_ok=True)
    (root / "content" / "faq-catalog.yml").write_text(CATALOG, encoding="utf-8")
    for faq in faqs:
        (root / "content" / "faqs" / f"{faq.id}.yml").write_text(format_faq(faq), encoding="utf-8")
    if render:
        render_files_into(root)
    return root


def check_tree(root: Path) -> list[Problem]:
    return check(root, min_examples=3, min_tests=1)


def kinds_of(problems: list[Problem]) -> set[str]:
    return {p.kind for p in problems}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path, [sample_faq(), hours_faq()])
