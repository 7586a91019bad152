"""One-time codes on the action server's side: keyed hashes, sending, and housekeeping.

A phone number is only ever stored as a keyed hash (:func:`phone_key`) and a
code only as the digest the gateway will send for it (:func:`digest`). The
code is texted in the background: the reply does not wait for the SMS service,
so it takes as long for a registered number as for an unregistered one (no
timing oracle). When delivery fails the code is burned, so a resend works at once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta

from actions.deps import Deps, db
from actions.sms import SmsError
from actions.wording import otp_text
from common.codes import code_digest
from common.redaction import mask_phone
from corebank.repository import Customer

log = logging.getLogger(__name__)


def _key(d: Deps) -> str:
    key = d.settings.otp_digest_key.get_secret_value()
    if not key:
        raise RuntimeError("OTP_DIGEST_KEY is not set (`bankbot run` writes one to .env)")
    return key


def phone_key(d: Deps, phone: str) -> str:
    """A keyed hash of a phone number: lockouts without storing the number."""
    message = f"phone:{phone}".encode()
    return hmac.new(_key(d).encode(), message, hashlib.sha256).hexdigest()


def digest(d: Deps, conversation_id: str, code: str) -> str:
    """The digest the gateway will send for ``code`` typed in this conversation."""
    return code_digest(_key(d), conversation_id, code)


def send_code(d: Deps, customer: Customer, code: str, language: str, conversation_id: str) -> None:
    """Text the code to the customer's phone in the background (see module docs)."""
    text = otp_text(code, language, d.settings.otp_ttl_s)

    async def _send() -> None:
        try:
            await d.sms.send(customer.phone, text)
        except SmsError:
            await db(d.verifications.burn_code, conversation_id)
        except Exception:  # never let a delivery crash the server; never log the text
            log.exception("SMS delivery to %s failed", mask_phone(customer.phone))
            await db(d.verifications.burn_code, conversation_id)

    d.in_background(_send())


async def purge_now_and_then(d: Deps) -> None:
    """Delete old verification records, at most once an hour (docs/requirements.md, rule 11)."""
    now = d.clock()
    if d.last_purge is not None and now - d.last_purge < timedelta(hours=1):
        return
    d.last_purge = now
    retention = timedelta(days=d.settings.verification_retention_days)
    deleted = await db(d.verifications.purge, retention)
    if deleted:
        log.info("purged %d old verification records", deleted)
