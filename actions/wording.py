"""What the action server says in words it must put together itself.

Everything else it says is a response of the domain, uttered by name and
rendered by the engine in the conversation's language (FAQ answers included,
:mod:`actions.domain_faqs`). What lives here cannot be a fixed response:
button titles next to a response, names of account types, card kinds and
statuses inserted into one, dates and deadlines, and the text messages sent
to a phone.
"""

from __future__ import annotations

import math
from datetime import date

from actions.store.complaints import Ticket
from common.payloads import REQUEST_HUMAN
from common.plural import count_of

HUMAN_BUTTON = {
    "zh": {"title": "转人工客服", "payload": REQUEST_HUMAN},
    "en": {"title": "Talk to an agent", "payload": REQUEST_HUMAN},
}
MORE_BUTTON = {
    "zh": {"title": "查看更多", "payload": "/more"},
    "en": {"title": "Show more", "payload": "/more"},
}
CONFIRM_FREEZE_BUTTONS = {
    "zh": [
        {"title": "确认冻结", "payload": "/affirm"},
        {"title": "暂不冻结", "payload": "/deny"},
    ],
    "en": [
        {"title": "Yes, freeze it", "payload": "/affirm"},
        {"title": "No, keep it active", "payload": "/deny"},
    ],
}

# --------------------------------------------------------------------------- accounts

ACCOUNT_TYPES = {
    "zh": {"current": "活期账户", "savings": "储蓄账户"},
    "en": {"current": "Current account", "savings": "Savings account"},
}
LIST_SEPARATOR = {"zh": "：", "en": ": "}
"""Between a line's label and its value ("活期账户 **** 1234：12,345.67元")."""


def minutes(count: int) -> dict[str, int | str]:
    """A number of minutes for a response: ``{minutes}`` (Chinese), ``{minutes_text}`` (English)."""
    return {"minutes": count, "minutes_text": count_of(count, "minute")}


def month_label(month: date, language: str) -> str:
    """``2026年10月`` / ``October 2026``."""
    if language == "zh":
        return f"{month.year}年{month.month}月"
    return month.strftime("%B %Y")


def filter_label(
    language: str, month: date | None, min_amount: str | None, direction: str | None
) -> str:
    """The filters of a statement request, to put after its title ("（2026年10月，支出）")."""
    parts: list[str] = []
    if language == "zh":
        if month:
            parts.append(month_label(month, language))
        if min_amount:
            parts.append(f"金额在 {min_amount} 及以上")
        if direction:
            parts.append("支出" if direction == "out" else "收入")
        return "（" + "，".join(parts) + "）" if parts else ""
    if month:
        parts.append(f"in {month_label(month, language)}")
    if min_amount:
        parts.append(f"of {min_amount} or more")
    if direction:
        parts.append("outgoing" if direction == "out" else "incoming")
    return " (" + ", ".join(parts) + ")" if parts else ""


# --------------------------------------------------------------------------- cards

CARD_KINDS = {
    "zh": {"debit": "借记卡", "credit": "信用卡"},
    "en": {"debit": "debit card", "credit": "credit card"},
}
CARD_STATUSES = {
    "zh": {"active": "正常", "frozen": "已临时冻结", "lost": "已挂失", "expired": "已过期"},
    "en": {
        "active": "active",
        "frozen": "temporarily frozen",
        "lost": "reported lost",
        "expired": "expired",
    },
}

# --------------------------------------------------------------------------- complaints

COMPLAINT_CATEGORIES: dict[str, dict[str, str]] = {
    "zh": {
        "service_attitude": "服务态度",
        "business_handling": "业务办理",
        "product": "产品问题",
        "information_security": "信息安全",
        "other": "其他",
    },
    "en": {
        "service_attitude": "service attitude",
        "business_handling": "business handling",
        "product": "a product",
        "information_security": "information security",
        "other": "other",
    },
}


def describe_deadline(ticket: Ticket, language: str) -> tuple[str, str]:
    """("3个工作日", "11月28日") / ("7 to 10 working days", "9 December")."""
    low, high = ticket.deadline
    due: date = ticket.due_by
    if language == "zh":
        days = f"{low}个工作日" if low == high else f"{low}至{high}个工作日"
        return days, f"{due.month}月{due.day}日"
    days = count_of(low, "working day") if low == high else f"{low} to {high} working days"
    return days, f"{due.day} {due:%B}"


def describe_notification(ticket: Ticket, language: str) -> str:
    """How the customer will hear back."""
    zh = language == "zh"
    if ticket.notify_by == "sms":
        return (
            f"处理结果将以短信发送至您的预留手机 {ticket.contact_masked}"
            if zh
            else f"we'll text the outcome to your registered mobile {ticket.contact_masked}"
        )
    if ticket.notify_by == "callback":
        return (
            f"我们会致电您留下的号码 {ticket.contact_masked} 告知处理结果"
            if zh
            else f"we'll call you on {ticket.contact_masked} with the outcome"
        )
    return (
        "您可以凭受理编号致电 95-000 查询处理进度"
        if zh
        else "you can follow it up on 95-000 (press 2 for English) with the reference number"
    )


# --------------------------------------------------------------------------- text messages

_OTP_TEXTS = {
    "zh": (
        "【海港银行】您的验证码是{code}，{minutes}分钟内有效。"
        "请勿告诉任何人，银行工作人员不会向您索要验证码。"
    ),
    "en": (
        "[Harbour Bank] Your verification code is {code}, valid for {minutes_text}. "
        "Never share it with anyone: bank staff will never ask you for it."
    ),
}


def otp_text(code: str, language: str, ttl_s: int) -> str:
    """The SMS carrying a one-time code, in the customer's language."""
    template = _OTP_TEXTS.get(language, _OTP_TEXTS["zh"])
    return template.format(code=code, **minutes(max(1, math.ceil(ttl_s / 60))))


def complaint_acknowledgement(ticket: Ticket, language: str) -> str:
    """The text sent to a verified customer's registered phone when a complaint is registered."""
    days, due = describe_deadline(ticket, language)
    if language == "zh":
        return (
            f"【海港银行】您的投诉已受理，受理编号 {ticket.reference}。"
            f"我们将在{days}内（{due}前）答复您。客服热线 95-000。"
        )
    return (
        f"[Harbour Bank] Your complaint is registered under reference {ticket.reference}. "
        f"We will reply within {days} (by {due}). Hotline 95-000."
    )
