"""Text messages to customers' phones: one interface, two adapters.

* :class:`DevOutboxSender` (development only) posts ``{"phone", "text"}`` to
  the gateway's in-memory outbox, ``POST {GATEWAY_URL}/api/dev/sms`` with the
  engine token, where tests and developers read it (``GET /api/dev/sms``,
  page ``/dev/sms``).
* :class:`HttpSmsSender` posts to the operator's SMS gateway
  (``SMS_GATEWAY_URL``) with an API key header.

``SMS_BACKEND`` (``dev`` | ``http``) picks one; production refuses ``dev``
(see :class:`actions.config.ActionSettings`). The texts carry one-time codes,
so nothing here ever logs a text, and phone numbers are logged masked.
"""

from __future__ import annotations

import logging
from typing import Protocol

import httpx

from actions.config import ActionSettings
from common.redaction import mask_phone

__all__ = [
    "DevOutboxSender",
    "HttpSmsSender",
    "SmsError",
    "SmsSender",
    "sender_from_settings",
]

log = logging.getLogger(__name__)

class SmsError(Exception):
    """The message could not be handed to the SMS service."""


class SmsSender(Protocol):
    """Something that delivers a text to a mobile number."""

    async def send(self, phone: str, text: str) -> None:
        """Deliver ``text`` to ``phone`` (11 digits) or raise :class:`SmsError`."""
        ...


async def _post(
    url: str, payload: dict[str, str], headers: dict[str, str], timeout_s: float, phone: str
) -> None:
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            response = await client.post(url, json=payload, headers=headers)
    except httpx.HTTPError as exc:
        log.warning("SMS to %s not delivered: %s", mask_phone(phone), type(exc).__name__)
        raise SmsError(f"SMS service unreachable: {type(exc).__name__}") from None
    if response.status_code >= 300:
        log.warning("SMS to %s refused: HTTP %s", mask_phone(phone), response.status_code)
        raise SmsError(f"SMS service answered HTTP {response.status_code}")
    log.info("SMS handed over for %s", mask_phone(phone))


class DevOutboxSender:
    """Development: the gateway's outbox (``POST /api/dev/sms``, engine token)."""

    def __init__(self, gateway_url: str, engine_token: str, *, timeout_s: float = 5.0) -> None:
        self.url = gateway_url.rstrip("/") + "/api/dev/sms"
        self._token = engine_token
        self._timeout_s = timeout_s

    async def send(self, phone: str, text: str) -> None:
        """Deliver ``text`` to ``phone`` or raise :class:`SmsError`."""
        await _post(
            self.url,
            {"phone": phone, "text": text},
            {"X-Engine-Token": self._token},
            self._timeout_s,
            phone,
        )


class HttpSmsSender:
    """Production: the operator's HTTP SMS gateway.

    Posts ``{"to", "text", "sender"}`` as JSON with the API key in a header
    (``X-Api-Key`` unless configured otherwise); any 2xx is success.
    """

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        header: str = "X-Api-Key",
        sender: str = "HarbourBank",
        timeout_s: float = 5.0,
    ) -> None:
        self.url = url
        self._api_key = api_key
        self._header = header
        self._sender = sender
        self._timeout_s = timeout_s

    async def send(self, phone: str, text: str) -> None:
        """Deliver ``text`` to ``phone`` or raise :class:`SmsError`."""
        await _post(
            self.url,
            {"to": phone, "text": text, "sender": self._sender},
            {self._header: self._api_key},
            self._timeout_s,
            phone,
        )


def sender_from_settings(settings: ActionSettings) -> SmsSender:
    """The adapter ``SMS_BACKEND`` names."""
    if settings.sms_backend == "http":
        if not settings.sms_gateway_url:
            raise ValueError("SMS_BACKEND=http needs SMS_GATEWAY_URL")
        return HttpSmsSender(
            settings.sms_gateway_url,
            settings.sms_api_key.get_secret_value(),
            header=settings.sms_api_key_header,
            sender=settings.sms_sender_name,
            timeout_s=settings.sms_timeout_s,
        )
    if settings.env != "development":
        raise ValueError("the SMS outbox exists in development mode only")
    return DevOutboxSender(
        settings.gateway_url,
        settings.engine_token.get_secret_value(),
        timeout_s=settings.sms_timeout_s,
    )
