"""The whole FAQ set as a spreadsheet (.xlsx or .csv), the way content teams work.

One row per FAQ; lists (examples, test phrasings) hold one phrasing per line
inside the cell. Columns:

    id | category | question_zh | question_en | answer_zh | answer_en |
    examples_zh | examples_en | test_zh | test_en | retire

`retire` = yes / 是 / 1 retires the FAQ. FAQs missing from an imported sheet
are left as they are (a partial sheet never deletes anything).

Reading is defensive: the size and row count are capped, an .xlsx is checked
as a zip (and for zip bombs) before openpyxl opens it, a CSV may be UTF-8
(with or without BOM) or GB18030 (Excel's "CSV" on Chinese Windows).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from common.plural import noun_for
from faqs.content import Content

COLUMNS = (
    "id", "category", "question_zh", "question_en", "answer_zh", "answer_en",
    "examples_zh", "examples_en", "test_zh", "test_en", "retire",
)  # fmt: skip
REQUIRED = COLUMNS[:-1]
YES = {"yes", "y", "true", "1", "是", "x"}
MAX_UNZIPPED = 40 * 1024 * 1024
MAX_CELL = 32_000  # Excel's own limit is 32,767 characters

# A cell starting with one of these is a formula to Excel, LibreOffice and
# Sheets (CSV injection); exported cells get a leading apostrophe, which the
# import takes off again, so a round trip changes nothing.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


class SheetRejected(ValueError):
    """The file as a whole cannot be read; the message says why, plainly."""


@dataclass
class Row:
    """One data row: its number as the editor sees it (the header is row 1)."""

    number: int
    values: dict[str, str]
    reasons: list[str] = field(default_factory=list)

    @property
    def faq_id(self) -> str:
        """The row's FAQ id."""
        return self.values.get("id", "")

    @property
    def retire(self) -> bool:
        """Whether the row asks to retire its FAQ."""
        return self.values.get("retire", "").strip().lower() in YES

    def content(self) -> dict[str, Any]:
        """The raw content dict (cleaned and validated by `faqdata.make_content`)."""
        v = self.values
        return {
            "category": v.get("category", ""),
            "question": {"zh": v.get("question_zh", ""), "en": v.get("question_en", "")},
            "answer": {"zh": v.get("answer_zh", ""), "en": v.get("answer_en", "")},
            "examples": {"zh": v.get("examples_zh", ""), "en": v.get("examples_en", "")},
            "test": {"zh": v.get("test_zh", ""), "en": v.get("test_en", "")},
        }


# --------------------------------------------------------------------------- writing


def neutralise(cell: str) -> str:
    """The cell as text a spreadsheet never evaluates."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def restore(cell: str) -> str:
    """Undo `neutralise` on an imported cell."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _cells(faq_id: str, content: Content) -> list[str]:
    return [neutralise(cell) for cell in _raw_cells(faq_id, content)]


def _raw_cells(faq_id: str, content: Content) -> list[str]:
    c = content
    q, a = c.get("question") or {}, c.get("answer") or {}
    ex, te = c.get("examples") or {}, c.get("test") or {}
    return [
        faq_id, c.get("category", ""), q.get("zh", ""), q.get("en", ""),
        a.get("zh", ""), a.get("en", ""),
        "\n".join(ex.get("zh", [])), "\n".join(ex.get("en", [])),
        "\n".join(te.get("zh", [])), "\n".join(te.get("en", [])),
        "",
    ]  # fmt: skip


def to_csv(faqs: Mapping[str, Content]) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for faq_id in sorted(faqs):
        writer.writerow(_cells(faq_id, faqs[faq_id]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(faqs: Mapping[str, Content]) -> bytes:
    """One sheet, a bold frozen header, wrapped text, readable column widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "FAQs"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for faq_id in sorted(faqs):
        sheet.append(_cells(faq_id, faqs[faq_id]))
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    widths = (22, 12, 30, 30, 50, 50, 30, 30, 30, 30, 8)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- reading


def read(data: bytes, filename: str, *, max_bytes: int, max_rows: int) -> list[Row]:
    """The data rows of an uploaded sheet, or SheetRejected with the reason."""
    if not data:
        raise SheetRejected("The file is empty.")
    if len(data) > max_bytes:
        raise SheetRejected(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; at most "
            f"{max_bytes / 1024 / 1024:.0f} MB can be imported."
        )
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _read_xlsx(data, max_rows)
    elif name.endswith(".csv"):
        table = _read_csv(data, max_rows)
    else:
        raise SheetRejected("Only .xlsx and .csv files can be imported.")
    return _rows(table)


def _read_xlsx(data: bytes, max_rows: int) -> Iterable[list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise SheetRejected("The file is not a valid .xlsx workbook.") from exc
    if unzipped > MAX_UNZIPPED:
        raise SheetRejected("The workbook unpacks to more than 40 MB; it cannot be imported.")
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        table = []
        for index, row in enumerate(sheet.iter_rows(values_only=True)):
            if index > max_rows:
                raise SheetRejected(f"The sheet has more than {max_rows:,} rows.")
            table.append(["" if v is None else str(v) for v in row])
        book.close()
    except SheetRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise SheetRejected("The workbook cannot be read (damaged or not an Excel file).") from exc
    return table


def _read_csv(data: bytes, max_rows: int) -> Iterable[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise SheetRejected("The CSV file is neither UTF-8 nor GB18030 text.")
    if "\x00" in text:
        raise SheetRejected("The file is not a CSV text file.")
    table = []
    try:
        for index, row in enumerate(csv.reader(io.StringIO(text, newline=""))):
            if index > max_rows:
                raise SheetRejected(f"The sheet has more than {max_rows:,} rows.")
            table.append(row)
    except csv.Error as exc:
        raise SheetRejected(f"The CSV file is malformed: {exc}.") from exc
    return table


def _rows(table: Iterable[list[str]]) -> list[Row]:
    rows = iter(table)
    header = [h.strip().lower() for h in next(rows, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SheetRejected(
            f"The first row must name the columns; missing: {', '.join(missing)}. "
            "Export the FAQs first and edit that file."
        )
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        noun = noun_for(len(unknown), "column")
        raise SheetRejected(f"Unknown {noun}: {', '.join(unknown)}.")
    out = []
    for number, cells in enumerate(rows, start=2):
        if not any(str(c).strip() for c in cells):
            continue  # blank lines are not rows
        values = {
            header[i]: restore(str(c)) for i, c in enumerate(cells) if i < len(header) and header[i]
        }
        row = Row(number, {k: v.strip() if k in ("id", "category", "retire") else v
                           for k, v in values.items()})  # fmt: skip
        if len(cells) > len(header) and any(str(c).strip() for c in cells[len(header) :]):
            row.reasons.append("it has more cells than the header has columns")
        if any(len(v) > MAX_CELL for v in values.values()):
            row.reasons.append(f"a cell is over {MAX_CELL:,} characters")
        out.append(row)
    if not out:
        raise SheetRejected("The sheet has a header but no FAQ rows.")
    return out
