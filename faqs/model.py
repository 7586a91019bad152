"""The FAQ content model: one FAQ as the content team writes it, and the bank's policy sheet.

A FAQ is a question and an answer in Chinese and English, training phrasings
and held-out test phrasings per language (``content/faqs/<id>.yml`` in the
repository, a version row in the content tool's database). The policy sheet
(``content/faq-catalog.yml``) is the bank's source of truth for the facts the
answers may state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CATEGORIES", "Catalog", "CatalogEntry", "ContentError", "Faq", "Problem"]

CATEGORIES: frozenset[str] = frozenset(
    {
        "branches",
        "accounts",
        "transfers",
        "cards",
        "credit_cards",
        "loans",
        "deposits",
        "wealth",
        "forex",
        "service",
        "security",
    }
)
"""Allowed ``category`` slugs (used to group FAQs in the content team's page)."""


class ContentError(ValueError):
    """A content or catalog file cannot be read; the message says why, plainly."""


@dataclass(frozen=True)
class Faq:
    """One FAQ as the content team wrote it (``content/faqs/<id>.yml``)."""

    id: str
    category: str
    question: Mapping[str, str]
    answer: Mapping[str, str]
    examples: Mapping[str, tuple[str, ...]]
    test: Mapping[str, tuple[str, ...]]
    path: Path | None = None

    @property
    def intent(self) -> str:
        """The Rasa retrieval intent name."""
        return f"faq/{self.id}"


@dataclass(frozen=True)
class CatalogEntry:
    """One entry of the bank's policy sheet."""

    id: str
    question: Mapping[str, str]
    facts: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """The policy sheet: the bank profile and its FAQ entries, by id."""

    bank: Mapping[str, str]
    entries: Mapping[str, CatalogEntry]


@dataclass(frozen=True)
class Problem:
    """Something wrong with the content, in words a content editor understands.

    ``kind`` is a stable code for programs (tests, the web page's grouping);
    ``faq_id`` names the FAQ (or core intent) concerned, when there is one.
    """

    kind: str
    message: str
    faq_id: str | None = None

    def __str__(self) -> str:
        return f"[{self.faq_id}] {self.message}" if self.faq_id else self.message

