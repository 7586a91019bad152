"""The customer API's contract and its answers to bad input (no engine running)."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.asyncio


async def start(api: httpx.AsyncClient, language: str | None = "zh") -> dict:
    response = await api.post("/api/conversations", json={"channel": "web", "language": language})
    assert response.status_code == 201
    return response.json()


def auth(conv: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {conv['token']}"}


async def history(api: httpx.AsyncClient, conv: dict) -> list[dict]:
    response = await api.get(
        f"/api/conversations/{conv['conversation_id']}/messages", headers=auth(conv)
    )
    assert response.status_code == 200
    return response.json()["messages"]


async def send(
    api: httpx.AsyncClient, conv: dict, text: str, key: str = "k1", **kw
) -> httpx.Response:
    return await api.post(
        f"/api/conversations/{conv['conversation_id']}/messages",
        json={"text": text, "client_message_id": key},
        headers=kw.get("headers", auth(conv)),
    )


async def test_create_greets_in_the_chosen_language(api: httpx.AsyncClient) -> None:
    zh = await start(api, "zh")
    en = await start(api, "en")
    unknown = await start(api, None)
    assert zh["state"] == "bot"
    assert "海港银行" in zh["replies"][0]["text"]
    assert "Harbour Bank" in en["replies"][0]["text"]
    assert (
        "海港银行" in unknown["replies"][0]["text"]
        and "Harbour Bank" in unknown["replies"][0]["text"]
    )
    # At least 128 random bits, distinct per conversation.
    assert len(zh["token"]) >= 32 and zh["token"] != en["token"]
    assert (await history(api, zh))[0] == {
        **(await history(api, zh))[0],
        "seq": 1,
        "sender": "bot",
    }


async def test_invalid_channel_or_language_is_422(api: httpx.AsyncClient) -> None:
    for body in (
        {"channel": "fax"},
        {"channel": "web", "language": "fr"},
        {"channel": "web", "x": 1},
    ):
        response = await api.post("/api/conversations", json=body)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_input"


async def test_body_over_64_kb_is_413_and_stores_nothing(api: httpx.AsyncClient) -> None:
    conv = await start(api)
    response = await send(api, conv, "x" * (65 * 1024))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert len(await history(api, conv)) == 1  # only the greeting


async def test_chunked_body_over_limit_is_413(api: httpx.AsyncClient) -> None:
    conv = await start(api)

    async def chunks():
        for _ in range(70):
            yield b"x" * 1024

    response = await api.post(
        f"/api/conversations/{conv['conversation_id']}/messages",
        content=chunks(),
        headers={**auth(conv), "content-type": "application/json"},
    )
    assert response.status_code == 413


async def test_message_over_2000_characters_is_422(api: httpx.AsyncClient) -> None:
    conv = await start(api)
    response = await send(api, conv, "好" * 2001)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "message_too_long"
    assert len(await history(api, conv)) == 1


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200d\ufeff", "\x00\x07"])
async def test_empty_message_after_cleaning_is_422(api: httpx.AsyncClient, text: str) -> None:
    conv = await start(api)
    response = await send(api, conv, text)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "empty_message"
    assert len(await history(api, conv)) == 1


async def test_malformed_json_is_422(api: httpx.AsyncClient) -> None:
    conv = await start(api)
    response = await api.post(
        f"/api/conversations/{conv['conversation_id']}/messages",
        content=b'{"text": "hi", ',
        headers={**auth(conv), "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "malformed_json"


async def test_missing_fields_are_422(api: httpx.AsyncClient) -> None:
    conv = await start(api)
    response = await api.post(
        f"/api/conversations/{conv['conversation_id']}/messages",
        json={"text": "hi"},
        headers=auth(conv),
    )
    assert response.status_code == 422
    assert "client_message_id" in response.json()["error"]["message"]


async def test_unknown_conversation_is_404(api: httpx.AsyncClient) -> None:
    conv = await start(api)
    response = await api.get("/api/conversations/nope/messages", headers=auth(conv))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_another_conversations_token_is_401(api: httpx.AsyncClient) -> None:
    mine, theirs = await start(api), await start(api)
    response = await send(api, mine, "hello", headers=auth(theirs))
    assert response.status_code == 401
    response = await api.get(
        f"/api/conversations/{mine['conversation_id']}/messages", headers=auth(theirs)
    )
    assert response.status_code == 401
    assert len(await history(api, mine)) == 1


async def test_missing_token_is_401(api: httpx.AsyncClient) -> None:
    conv = await start(api)
    response = await send(api, conv, "hello", headers={})
    assert response.status_code == 401
    response = await send(api, conv, "hello", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401


async def test_control_and_zero_width_characters_are_stripped(api: httpx.AsyncClient) -> None:
    conv = await start(api)
    response = await send(api, conv, "\u200b你们\x07几点\u200d开门\ufeff")
    assert response.status_code == 200
    assert (await history(api, conv))[1]["text"] == "你们几点开门"


async def test_html_is_kept_as_plain_text(api: httpx.AsyncClient) -> None:
    conv = await start(api)
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    response = await send(api, conv, payload)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert (await history(api, conv))[1]["text"] == payload


async def test_engine_down_apologises_offers_a_human_and_keeps_the_message(
    api: httpx.AsyncClient,
) -> None:
    conv = await start(api)
    response = await send(api, conv, "你们几点开门")
    body = response.json()
    assert body["state"] == "bot" and body["handoff"] is None
    assert "非常抱歉" in body["replies"][0]["text"] and "95-000" in body["replies"][0]["text"]
    assert body["replies"][0]["buttons"] == [{"title": "转人工客服", "payload": "/request_human"}]
    assert [m["text"] for m in await history(api, conv)][1] == "你们几点开门"
    # Taking the offer queues the conversation for a human even without the engine.
    taken = (await send(api, conv, "/request_human", key="k2")).json()
    assert taken["state"] == "queued"
    assert {k: taken["handoff"][k] for k in ("reason", "priority", "queue_position")} == {
        "reason": "system_error",
        "priority": "normal",
        "queue_position": 1,
    }


async def test_same_client_message_id_is_processed_once(api: httpx.AsyncClient) -> None:
    conv = await start(api)
    first = await send(api, conv, "hello", key="same")
    second = await send(api, conv, "hello", key="same")
    assert first.json() == second.json()
    senders = [m["sender"] for m in await history(api, conv)]
    assert senders == ["bot", "customer", "bot"]


async def test_history_after_seq_returns_only_newer_messages(api: httpx.AsyncClient) -> None:
    conv = await start(api)
    await send(api, conv, "one", key="a")
    await send(api, conv, "two", key="b")
    response = await api.get(
        f"/api/conversations/{conv['conversation_id']}/messages",
        params={"after": 2},
        headers=auth(conv),
    )
    seqs = [m["seq"] for m in response.json()["messages"]]
    assert seqs == [3, 4, 5]
    bad = await api.get(
        f"/api/conversations/{conv['conversation_id']}/messages",
        params={"after": -1},
        headers=auth(conv),
    )
    assert bad.status_code == 422


async def test_masks_card_id_and_phone_numbers_in_the_transcript(api: httpx.AsyncClient) -> None:
    conv = await start(api)
    await send(api, conv, "卡号6222021234566789 身份证110101199003071234 手机13800138000")
    stored = (await history(api, conv))[1]["text"]
    assert "6222021234566789" not in stored and "**** 6789" in stored
    assert "110101199003071234" not in stored
    assert "138****8000" in stored


async def test_csat_is_stored_and_validated(api: httpx.AsyncClient) -> None:
    conv = await start(api)
    url = f"/api/conversations/{conv['conversation_id']}/csat"
    ok = await api.post(
        url, json={"score": "very_satisfied", "comment": "很好"}, headers=auth(conv)
    )
    assert ok.status_code == 200 and ok.json() == {"score": "very_satisfied"}
    bad = await api.post(url, json={"score": "meh"}, headers=auth(conv))
    assert bad.status_code == 422


async def test_openapi_is_served(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/openapi.json")).json()
    assert "/api/conversations/{conversation_id}/messages" in spec["paths"]


async def test_pages_carry_a_strict_content_security_policy(api: httpx.AsyncClient) -> None:
    response = await api.get("/health")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
