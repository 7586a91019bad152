"""What the content pages do with one FAQ's content: validate it, diff it, summarise it.

The content itself is :mod:`faqs.content`'s dict; this module checks the
shape of what an editor submits (the service rules are :mod:`faqs.review`'s
job), reads the repository's files for the Repository tab, and lays two
versions side by side.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from common.languages import LANGUAGE_NAMES, LANGUAGES
from common.text import strip_invisible
from faqs.content import Content, digest, from_faq
from faqs.files import load_faq
from faqs.model import CATEGORIES, ContentError
from handoff.core.errors import InvalidInput

FAQ_ID = re.compile(r"^[a-z][a-z0-9_]{2,47}$")
MAX_QUESTION = 200
MAX_ANSWER = 2000
MAX_PHRASE = 200
MAX_PHRASES = 300  # per language and list

TEXT_FIELDS = ("question", "answer")
LIST_FIELDS = ("examples", "test")
FIELD_LABELS = {
    "category": "Category",
    "question": "Question",
    "answer": "Answer",
    "examples": "Training examples",
    "test": "Test phrasings",
}


class ContentInvalid(InvalidInput):
    """The submitted content cannot be a FAQ; `reasons` says why, in plain words (422)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons), code="invalid_content")
        self.reasons = reasons


def clean_text(value: object) -> str:
    """NFC, no control or invisible characters, inner runs of spaces kept, ends stripped."""
    text = unicodedata.normalize("NFC", str(value if value is not None else ""))
    text = strip_invisible(text)
    text = "".join(ch for ch in text if ch in "\n" or unicodedata.category(ch)[0] != "C")
    return text.strip()


def clean_lines(value: object) -> list[str]:
    """A list of phrasings from a list or from text with one phrasing per line."""
    items: Iterable[object]
    if isinstance(value, str):
        items = value.splitlines()
    elif isinstance(value, list | tuple):
        items = value
    elif value is None:
        items = ()
    else:
        items = [value]
    out = []
    for item in items:
        text = " ".join(clean_text(item).split())
        if text:
            out.append(text)
    return out


def make_content(raw: Mapping[str, Any]) -> Content:
    """Validate the shape of submitted content and return it cleaned.

    Only structure is checked here (present, not too long, known category);
    the service rules are `faqs.review`'s job, so a draft with problems can be saved.
    """
    reasons: list[str] = []
    category = clean_text(raw.get("category"))
    if category not in CATEGORIES:
        reasons.append(f"category '{category}' is not one of: {', '.join(sorted(CATEGORIES))}")
    content: Content = {"category": category}
    for field in TEXT_FIELDS:
        given = raw.get(field) or {}
        if not isinstance(given, Mapping):
            reasons.append(f"{field} needs a Chinese and an English text")
            given = {}
        limit = MAX_QUESTION if field == "question" else MAX_ANSWER
        content[field] = {}
        for lang in LANGUAGES:
            text = clean_text(given.get(lang))
            if len(text) > limit:
                reasons.append(
                    f"the {LANGUAGE_NAMES[lang]} {field} is {len(text)} characters; "
                    f"at most {limit} are allowed"
                )
            content[field][lang] = text
    for field in LIST_FIELDS:
        given = raw.get(field) or {}
        if not isinstance(given, Mapping):
            reasons.append(f"{field} needs a Chinese and an English list")
            given = {}
        content[field] = {}
        for lang in LANGUAGES:
            items = clean_lines(given.get(lang))
            if len(items) > MAX_PHRASES:
                name = LANGUAGE_NAMES[lang]
                reasons.append(f"{len(items)} {name} {field}; at most {MAX_PHRASES} are allowed")
            for text in items:
                if len(text) > MAX_PHRASE:
                    reasons.append(
                        f"the {LANGUAGE_NAMES[lang]} phrasing '{text[:40]}…' is over "
                        f"{MAX_PHRASE} characters"
                    )
            content[field][lang] = items
    if reasons:
        raise ContentInvalid(reasons)
    return content


def check_id(faq_id: str) -> str:
    """A valid FAQ id (it becomes the intent `faq/<id>` and a file name)."""
    if not FAQ_ID.match(faq_id or ""):
        raise ContentInvalid(
            [
                f"the id '{faq_id}' must be 3-48 characters: lower-case letters, digits and "
                "underscores, starting with a letter (e.g. card_activation)"
            ]
        )
    return faq_id


# --------------------------------------------------------------------------- repository files


@dataclass(frozen=True)
class RepoFile:
    """One `content/faqs/<id>.yml` as read: its content and digest, or why it is unreadable."""

    digest: str | None
    content: Content | None
    error: str | None


def read_repository(content_dir: Path) -> dict[str, RepoFile]:
    """Every FAQ file of the folder, by id.

    Parsed once per file version: every gateway start and every comparison reads
    the folder, and YAML parsing is slow.
    """
    stamp = tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(content_dir.glob("*.yml"))
    )
    return copy.deepcopy(dict(_read_repository(content_dir, stamp)))


@lru_cache(maxsize=8)
def _read_repository(
    content_dir: Path, stamp: tuple[tuple[str, int, int], ...]
) -> tuple[tuple[str, RepoFile], ...]:
    files = []
    for name, _, _ in stamp:
        path = content_dir / name
        try:
            content = from_faq(load_faq(path))
        except ContentError as exc:
            files.append((path.stem, RepoFile(None, None, str(exc))))
            continue
        files.append((path.stem, RepoFile(digest(content), content, None)))
    return tuple(files)


# --------------------------------------------------------------------------- diff


@dataclass(frozen=True)
class FieldDiff:
    """One field, before and after, for the side-by-side view."""

    field: str
    language: str | None
    label: str
    before: Any
    after: Any
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether the two sides differ."""
        return self.before != self.after

    def view(self) -> dict[str, Any]:
        """The row as the API returns it."""
        return {
            "field": self.field,
            "language": self.language,
            "label": self.label,
            "before": self.before,
            "after": self.after,
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": self.changed,
        }


def diff(before: Content | None, after: Content | None) -> list[FieldDiff]:
    """Every field of two versions side by side (None: the FAQ does not exist / is retired)."""
    rows = [
        FieldDiff(
            "category", None, FIELD_LABELS["category"],
            (before or {}).get("category", ""), (after or {}).get("category", ""),
        )
    ]  # fmt: skip
    for field in (*TEXT_FIELDS, *LIST_FIELDS):
        for lang in LANGUAGES:
            label = f"{FIELD_LABELS[field]} ({LANGUAGE_NAMES[lang]})"
            old = ((before or {}).get(field) or {}).get(lang)
            new = ((after or {}).get(field) or {}).get(lang)
            if field in LIST_FIELDS:
                old, new = list(old or []), list(new or [])
                rows.append(
                    FieldDiff(
                        field, lang, label, old, new,
                        added=tuple(x for x in new if x not in old),
                        removed=tuple(x for x in old if x not in new),
                    )
                )  # fmt: skip
            else:
                rows.append(FieldDiff(field, lang, label, old or "", new or ""))
    return rows


def summarise(kind: str, before: Content | None, after: Content | None) -> str:
    """A one-line description of a change, for lists and the audit log."""
    if kind == "retire":
        return "retire this FAQ (customers no longer get its answer)"
    parts = []
    for row in diff(before, after):
        if not row.changed:
            continue
        if row.field in LIST_FIELDS:
            bits = []
            if row.added:
                bits.append(f"{len(row.added)} added")
            if row.removed:
                bits.append(f"{len(row.removed)} removed")
            if not bits:
                bits.append("reordered")
            parts.append(f"{row.label.lower()}: {', '.join(bits)}")
        else:
            parts.append(f"{row.label.lower()} changed")
    prefix = "new FAQ" if kind == "add" else "edit"
    if kind == "add" and before is None:
        return prefix
    return f"{prefix}: " + "; ".join(parts) if parts else f"{prefix}: no difference"
