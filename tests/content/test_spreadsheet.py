"""The whole FAQ set as .xlsx / .csv: export, import all-or-nothing, bad files refused."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from bankbot.bench_content import new_faq_payload
from handoff.services.content.spreadsheet import COLUMNS

pytestmark = pytest.mark.asyncio


async def upload(
    api: httpx.AsyncClient, headers: dict[str, str], name: str, data: bytes
) -> httpx.Response:
    """As the page does it: announce, send the parts in order, import."""
    opened = await api.post(
        "/api/content/uploads", json={"filename": name, "size": len(data)}, headers=headers
    )
    if opened.status_code != 201:
        return opened
    upload_id, part = opened.json()["id"], opened.json()["part_bytes"]
    for number, offset in enumerate(range(0, len(data), part)):
        sent = await api.put(
            f"/api/content/uploads/{upload_id}/parts/{number}",
            content=data[offset : offset + part],
            headers={**headers, "Content-Type": "application/octet-stream"},
        )
        assert sent.status_code == 200, sent.text
    return await api.post(f"/api/content/uploads/{upload_id}/import", headers=headers)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def to_csv(rows: list[dict[str, Any]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def row_of(faq: dict[str, Any]) -> dict[str, str]:
    return {
        "id": faq["id"], "category": faq["category"],
        "question_zh": faq["question"]["zh"], "question_en": faq["question"]["en"],
        "answer_zh": faq["answer"]["zh"], "answer_en": faq["answer"]["en"],
        "examples_zh": "\n".join(faq["examples"]["zh"]),
        "examples_en": "\n".join(faq["examples"]["en"]),
        "test_zh": "\n".join(faq["test"]["zh"]), "test_en": "\n".join(faq["test"]["en"]),
        "retire": "",
    }  # fmt: skip


async def pending(api: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    return (await api.get("/api/content/changes", headers=headers)).json()["items"]


async def test_export_both_formats_and_import_them_back_unchanged(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    xlsx = await content_api.get("/api/content/export.xlsx", headers=staff["supervisor1"])
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == list(COLUMNS)
    csv_file = await content_api.get("/api/content/export.csv", headers=staff["editor1"])
    rows = csv_rows(csv_file.content)
    ids = [row["id"] for row in rows]
    assert "opening_hours" in ids and len(ids) == sheet.max_row - 1
    assert len(csv_file.content) > 64 * 1024  # larger than one request body may be

    for name, data in (("faqs.xlsx", xlsx.content), ("faqs.csv", csv_file.content)):
        result = await upload(content_api, staff["editor1"], name, data)
        assert result.status_code == 200, result.text
        assert result.json()["changes"] == 0 and result.json()["unchanged"] == len(ids)


async def test_an_import_proposes_changes_for_approval_as_one_batch(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    rows = csv_rows(
        (await content_api.get("/api/content/export.csv", headers=staff["editor1"])).content
    )
    hours = next(r for r in rows if r["id"] == "opening_hours")
    hours["answer_en"] += " Thank you."
    retire = next(r for r in rows if r["id"] == "points_rewards")
    retire["retire"] = "是"
    rows.append(row_of(new_faq_payload()))
    result = await upload(content_api, staff["editor1"], "edited.csv", to_csv(rows))
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["changes"] == 3 and body["unchanged"] == len(rows) - 3
    waiting = await pending(content_api, staff["editor2"])
    assert {(c["faq_id"], c["kind"]) for c in waiting} == {
        ("opening_hours", "edit"), ("points_rewards", "retire"), ("card_activation", "add"),
    }  # fmt: skip
    approved = await content_api.post(
        f"/api/content/batches/{body['batch']}/approve", headers=staff["editor2"]
    )
    assert approved.json() == {"approved": 3}
    assert await pending(content_api, staff["editor2"]) == []


async def test_one_bad_row_rejects_the_whole_import_and_says_why(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    rows = csv_rows(
        (await content_api.get("/api/content/export.csv", headers=staff["editor1"])).content
    )
    rows[0]["answer_en"] = ""
    rows[1]["category"] = "crypto"
    new = row_of(new_faq_payload())
    new["examples_en"] = "just one example"
    rows.append(new)
    rows.append(dict(rows[2]))  # the same id twice
    result = await upload(content_api, staff["editor1"], "bad.csv", to_csv(rows))
    assert result.status_code == 422
    error = result.json()["error"]
    assert error["code"] == "rows_rejected" and "nothing was imported" in error["message"]
    by_row = {r["row"]: r for r in error["rows"]}
    assert "English answer is missing" in " ".join(by_row[2]["reasons"])
    assert "category 'crypto'" in " ".join(by_row[3]["reasons"])
    assert "at least 10" in " ".join(by_row[len(rows)]["reasons"])
    assert "already used in row 4" in " ".join(by_row[len(rows) + 1]["reasons"])
    assert await pending(content_api, staff["editor1"]) == []


async def test_chinese_excel_csv_in_gb18030_is_read(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    data = to_csv([row_of(new_faq_payload())], encoding="gb18030")
    result = await upload(content_api, staff["editor1"], "gbk.csv", data)
    assert result.status_code == 200, result.text
    assert result.json()["changes"] == 1


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("faqs.xlsx", b"PK\x03\x04 this is not a workbook", "not a valid .xlsx"),
        ("faqs.csv", b"", "empty"),
        ("faqs.csv", "名字,答案\n一,二\n".encode(), "missing: id"),
        ("faqs.csv", b"id,category\n\x00\x01\x02", "not a CSV"),
        ("faqs.txt", b"id\n", "Only .xlsx and .csv"),
    ],
)
async def test_malformed_files_get_a_clear_4xx(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]], name: str, data: bytes,
    reason: str,
) -> None:  # fmt: skip
    if not data:
        opened = await content_api.post(
            "/api/content/uploads", json={"filename": name, "size": 0}, headers=staff["editor1"]
        )
        assert opened.status_code == 422 and reason in opened.json()["error"]["message"]
        return
    result = await upload(content_api, staff["editor1"], name, data)
    assert 400 <= result.status_code < 500, result.text
    assert reason in result.json()["error"]["message"]


async def test_huge_files_are_refused_before_and_while_uploading(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    too_big = await content_api.post(
        "/api/content/uploads",
        json={"filename": "faqs.xlsx", "size": 3 * 1024 * 1024},
        headers=staff["editor1"],
    )
    assert too_big.status_code == 413 and "2 MB" in too_big.json()["error"]["message"]
    opened = (
        await content_api.post(
            "/api/content/uploads", json={"filename": "a.csv", "size": 10}, headers=staff["editor1"]
        )
    ).json()
    lying = await content_api.put(
        f"/api/content/uploads/{opened['id']}/parts/0",
        content=b"x" * 1000,
        headers=staff["editor1"],
    )
    assert lying.status_code == 413
    out_of_order = await content_api.put(
        f"/api/content/uploads/{opened['id']}/parts/3", content=b"x", headers=staff["editor1"]
    )
    assert out_of_order.status_code == 409
    whole_body = await content_api.put(
        f"/api/content/uploads/{opened['id']}/parts/0", content=b"x" * 70_000,
        headers=staff["editor1"],
    )  # fmt: skip
    assert whole_body.status_code == 413  # the gateway's own body limit


async def test_too_many_rows_and_zip_bombs_are_refused(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    rows = "\n".join(f"faq_{i},cards,,,,,,,,," for i in range(5002))
    many = ("\ufeff" + ",".join(COLUMNS) + "\n" + rows).encode()
    result = await upload(content_api, staff["editor1"], "many.csv", many)
    assert result.status_code == 422 and "5,000 rows" in result.json()["error"]["message"]

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    result = await upload(content_api, staff["editor1"], "bomb.xlsx", bomb.getvalue())
    assert result.status_code == 422 and "40 MB" in result.json()["error"]["message"]


async def test_an_xlsx_written_by_hand_is_read(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    sheet.append(list(row_of(new_faq_payload()).values()))
    out = io.BytesIO()
    book.save(out)
    result = await upload(content_api, staff["editor1"], "hand.xlsx", out.getvalue())
    assert result.status_code == 200, result.text
    assert result.json()["changes"] == 1


async def test_only_editors_import_and_only_their_own_uploads(
    content_api: httpx.AsyncClient, staff: dict[str, dict[str, str]]
) -> None:
    denied = await content_api.post(
        "/api/content/uploads", json={"filename": "a.csv", "size": 5}, headers=staff["supervisor1"]
    )
    assert denied.status_code == 403
    opened = (
        await content_api.post(
            "/api/content/uploads", json={"filename": "a.csv", "size": 5}, headers=staff["editor1"]
        )
    ).json()
    foreign = await content_api.put(
        f"/api/content/uploads/{opened['id']}/parts/0", content=b"abcde", headers=staff["editor2"]
    )
    assert foreign.status_code == 404


async def test_cells_that_a_spreadsheet_would_evaluate_are_exported_as_text() -> None:
    from handoff.services.content import spreadsheet

    dangerous = {
        "category": "=cmd|' /C calc'!A0",
        "question": {"zh": "+1+1", "en": "-2+3"},
        "answer": {"zh": "@SUM(A1:A9)", "en": "\t=HYPERLINK(\"http://x\")"},
        "examples": {"zh": ["=1+1", "普通问题"], "en": ["plain"]},
        "test": {"zh": [], "en": []},
    }
    for export in (spreadsheet.to_csv, spreadsheet.to_xlsx):
        data = export({"formula_faq": dangerous})
        if export is spreadsheet.to_csv:
            cells = next(r for r in csv_rows(data) if r["id"] == "formula_faq")
        else:
            sheet = load_workbook(io.BytesIO(data)).worksheets[0]
            header = [c.value for c in sheet[1]]
            row = sheet[2]
            assert all(c.data_type == "s" for c in row if c.value)  # text, never a formula
            cells = {h: c.value or "" for h, c in zip(header, row, strict=True)}
        assert cells["category"] == "'=cmd|' /C calc'!A0"
        assert cells["question_zh"] == "'+1+1" and cells["question_en"] == "'-2+3"
        assert cells["answer_zh"] == "'@SUM(A1:A9)"
        assert cells["answer_en"].startswith("'\t=")
        assert cells["examples_zh"] == "'=1+1\n普通问题"
        # The import takes the apostrophe off again: a round trip changes nothing.
        name = "faqs.csv" if export is spreadsheet.to_csv else "faqs.xlsx"
        (read,) = spreadsheet.read(data, name, max_bytes=10**7, max_rows=10)
        assert read.values["category"] == dangerous["category"]
        assert read.values["answer_zh"] == "@SUM(A1:A9)"
        assert read.values["examples_zh"] == "=1+1\n普通问题"
