"""Reading and writing the content files: one YAML file per FAQ, the policy sheet, Rasa NLU.

Every file that tools write keeps one canonical layout (:func:`format_faq`,
:func:`quote`), so a diff shows exactly what changed. A file that cannot be
read raises :class:`faqs.model.ContentError` with a plain message.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

from common.languages import LANGUAGES
from common.paths import CATALOG_PATH, CONTENT_DIR, ROOT
from faqs.model import Catalog, CatalogEntry, ContentError, Faq


def quote(text: str) -> str:
    """A YAML double-quoted scalar.

    Keeps Chinese as is and escapes the rest, so output is stable and survives
    any special character.
    """
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch in "\x7f\u2028\u2029\ufeff":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContentError(f"{path}: cannot be read ({exc.strerror}).") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: is not valid YAML ({exc}).") from exc


def _lang_map(value: object, what: str, path: Path) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ContentError(f"{path}: '{what}' needs a 'zh' and an 'en' text.")
    out: dict[str, str] = {}
    for lang in LANGUAGES:
        text = value.get(lang)
        out[lang] = text.strip() if isinstance(text, str) else ""
    return out


def _lang_lists(value: object, what: str, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ContentError(f"{path}: '{what}' needs a 'zh' and an 'en' list.")
    out: dict[str, tuple[str, ...]] = {}
    for lang in LANGUAGES:
        items = value.get(lang) or []
        if not isinstance(items, list):
            raise ContentError(f"{path}: '{what}.{lang}' must be a list of phrasings.")
        out[lang] = tuple(str(item).strip() for item in items if item is not None)
    return out


def load_faq(path: Path) -> Faq:
    """Read one content file; raise ContentError with a plain message if malformed."""
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(
            f"{path}: expected fields id, category, question, answer, examples, test."
        )
    faq_id = data.get("id")
    if not isinstance(faq_id, str) or not faq_id:
        raise ContentError(f"{path}: the 'id' field is missing.")
    if faq_id != path.stem:
        raise ContentError(f"{path}: the file name must be the id ('{faq_id}.yml').")
    return Faq(
        id=faq_id,
        category=str(data.get("category") or ""),
        question=_lang_map(data.get("question"), "question", path),
        answer=_lang_map(data.get("answer"), "answer", path),
        examples=_lang_lists(data.get("examples"), "examples", path),
        test=_lang_lists(data.get("test") or {}, "test", path),
        path=path,
    )


def load_faqs(folder: Path | str = ROOT / CONTENT_DIR) -> list[Faq]:
    """All FAQs of a content folder, sorted by id (raises ContentError on a bad file)."""
    faqs = [load_faq(p) for p in sorted(Path(folder).glob("*.yml"))]
    return sorted(faqs, key=lambda f: f.id)


def load_catalog(path: Path | str = ROOT / CATALOG_PATH) -> Catalog:
    """Read the bank's policy sheet (raises ContentError if malformed)."""
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("faqs"), list):
        raise ContentError(f"{path}: expected a 'faqs' list.")
    entries: dict[str, CatalogEntry] = {}
    for item in data["faqs"]:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ContentError(f"{path}: every FAQ entry needs an id.")
        entries[item["id"]] = CatalogEntry(
            id=item["id"],
            question={lang: str(item.get(lang) or "").strip() for lang in LANGUAGES},
            facts=tuple(str(f) for f in item.get("facts") or ()),
        )
    bank = {str(k): str(v) for k, v in (data.get("bank") or {}).items()}
    return Catalog(bank=bank, entries=entries)


def read_nlu_examples(path: Path) -> dict[str, list[str]]:
    """Examples per intent of a Rasa NLU YAML file (annotations kept)."""
    data = _read_yaml(path)
    out: dict[str, list[str]] = defaultdict(list)
    if not isinstance(data, dict):
        return out
    for block in data.get("nlu") or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                out[str(block["intent"])].append(line[2:].strip())
    return out


def format_faq(faq: Faq) -> str:
    """A content file's canonical text (what ``content/faqs/<id>.yml`` looks like).

    Tools that write content (the content team's page, scripts) use this so
    every file keeps the same layout and a diff shows only what changed.
    """
    lines = [
        f"id: {faq.id}",
        f"category: {faq.category}",
        "question:",
        *(f"  {lang}: {quote(faq.question[lang])}" for lang in LANGUAGES),
        "answer:",
        *(f"  {lang}: {quote(faq.answer[lang])}" for lang in LANGUAGES),
    ]
    for section in ("examples", "test"):
        lines.append(f"{section}:")
        for lang in LANGUAGES:
            items = getattr(faq, section)[lang]
            lines.append(f"  {lang}:" if items else f"  {lang}: []")
            lines.extend(f"    - {quote(text)}" for text in items)
    return "\n".join(lines) + "\n"
