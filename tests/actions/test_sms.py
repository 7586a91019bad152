"""The SMS adapters over real HTTP, against a local test server."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import ValidationError

from actions.config import ActionSettings
from actions.sms import (
    DevOutboxSender,
    HttpSmsSender,
    SmsError,
    sender_from_settings,
)
from actions.wording import otp_text

TEXT = otp_text("123456", "zh", 300)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class SmsServer:
    """A local HTTP server that records posts and answers with ``status``."""

    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200


@pytest.fixture
def server() -> Iterator[SmsServer]:
    state = SmsServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            state.received.append(Received(self.path, dict(self.headers), body))
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_texts_in_both_languages() -> None:
    assert otp_text("123456", "zh", 300) == (
        "【海港银行】您的验证码是123456，5分钟内有效。请勿告诉任何人，银行工作人员不会向您索要验证码。"
    )
    en = otp_text("000042", "en", 300)
    assert en.startswith("[Harbour Bank] Your verification code is 000042, valid for 5 minutes.")
    assert "valid for 1 minute." in otp_text("000042", "en", 60)
    assert otp_text("123456", "zh", 20).count("1分钟") == 1  # never "0 minutes"


async def test_http_sender_posts_json_with_the_api_key(
    server: SmsServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sender = HttpSmsSender(server.url + "/v1/sms", "key-" + "x" * 20, sender="HarbourBank")
    await sender.send("13800138000", TEXT)
    (got,) = server.received
    assert got.path == "/v1/sms"
    assert got.headers["X-Api-Key"] == "key-" + "x" * 20
    assert got.body == {"to": "13800138000", "text": TEXT, "sender": "HarbourBank"}
    assert "123456" not in caplog.text and "13800138000" not in caplog.text
    assert "138****8000" in caplog.text


async def test_http_sender_header_name_is_configurable(server: SmsServer) -> None:
    sender = HttpSmsSender(server.url, "secret-key-123456", header="Authorization")
    await sender.send("13900139000", "hi")
    assert server.received[0].headers["Authorization"] == "secret-key-123456"


@pytest.mark.parametrize("status", [400, 401, 500, 503])
async def test_http_sender_refusal_is_an_sms_error(
    server: SmsServer, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    server.status = status
    with pytest.raises(SmsError, match=str(status)):
        await HttpSmsSender(server.url, "k" * 16).send("13800138000", TEXT)
    assert "123456" not in caplog.text


async def test_unreachable_sms_service_is_an_sms_error() -> None:
    from pipeline.processes import free_port

    sender = HttpSmsSender(f"http://127.0.0.1:{free_port()}/sms", "k" * 16, timeout_s=1)
    with pytest.raises(SmsError, match="unreachable"):
        await sender.send("13800138000", TEXT)


async def test_dev_outbox_sender_posts_to_the_gateway_with_the_engine_token(
    server: SmsServer,
) -> None:
    await DevOutboxSender(server.url + "/", "engine-token").send("13800138000", TEXT)
    (got,) = server.received
    assert got.path == "/api/dev/sms"
    assert got.headers["X-Engine-Token"] == "engine-token"
    assert got.body == {"phone": "13800138000", "text": TEXT}


def _settings(**values: Any) -> ActionSettings:
    return ActionSettings(_env_file=None, **values)  # type: ignore[call-arg]


def test_backend_is_chosen_by_settings(server: SmsServer) -> None:
    dev = sender_from_settings(_settings(gateway_url=server.url, engine_token="t"))
    assert isinstance(dev, DevOutboxSender) and dev.url == server.url + "/api/dev/sms"
    http = sender_from_settings(
        _settings(sms_backend="http", sms_gateway_url=server.url, sms_api_key="k" * 16)
    )
    assert isinstance(http, HttpSmsSender)
    with pytest.raises(ValueError, match="SMS_GATEWAY_URL"):
        sender_from_settings(_settings(sms_backend="http"))


def test_production_refuses_the_outbox_and_weak_keys() -> None:
    strong = "s" * 40
    with pytest.raises(ValidationError, match="SMS_BACKEND"):
        _settings(BANKBOT_ENV="production", otp_digest_key=strong)
    with pytest.raises(ValidationError, match="OTP_DIGEST_KEY"):
        _settings(
            BANKBOT_ENV="production",
            otp_digest_key="changeme",
            sms_backend="http",
            sms_gateway_url="https://sms.example",
            sms_api_key="k" * 20,
        )
    with pytest.raises(ValidationError, match="https"):
        _settings(
            BANKBOT_ENV="production",
            otp_digest_key=strong,
            sms_backend="http",
            sms_gateway_url="http://sms.example",
            sms_api_key="k" * 20,
        )
    ok = _settings(
        BANKBOT_ENV="production",
        otp_digest_key=strong,
        sms_backend="http",
        sms_gateway_url="https://sms.example",
        sms_api_key="k" * 20,
    )
    assert isinstance(sender_from_settings(ok), HttpSmsSender)
