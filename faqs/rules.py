"""The wording rules FAQ answers follow (docs/requirements.md, rules 3 to 6).

Every answer ends by checking it helped (rule 6); no response says a forbidden
phrasing (rule 3); answers quoting rates and fees say where the figure comes
from and that the contract is final (rule 4); answers about products with risk
keep the risk wording (rule 5). :mod:`faqs.checks` applies them to content;
the domain-wide wording test applies :data:`FORBIDDEN_PHRASES` to every response.
"""

from __future__ import annotations

from collections.abc import Mapping

CLOSING_CHECK: Mapping[str, str] = {
    "zh": "请问这个回答对您有帮助吗？还有其他可以帮您的吗？",
    "en": "Did that answer your question? Is there anything else I can help with?",
}
"""Rule 6: every FAQ answer ends by checking it helped. Appended when rendering,
never written in the content files, so the wording is the same everywhere."""

FORBIDDEN_PHRASES: tuple[str, ...] = (
    # English (rule 3); matched case-insensitively
    "I don't know",
    "I do not know",
    "I dont know",
    "no idea",
    "impossible",
    "not my responsibility",
    "not my problem",
    "you must",
    "your own fault",
    "I already told you",
    # Chinese (rule 3 and the forbidden list of docs/requirements.md)
    "不知道",
    "不清楚",
    "不可能",
    "不行",
    "这不是我的责任",
    "不是我的责任",
    "您必须",
    "你必须",
    "您应该",
    "你应该",
    "没法查",
    "没办法",
    "办不了",
    "我不明白你在说什么",
    "我不是跟你说了吗",
    "你怎么还不明白",
    "你尽管去投诉",
    "谁叫你忘记密码",
    "大声点",
    "你讲清楚点",
    "喂，",
    "喂!",
    "喂！",
)
"""Phrasings no response may contain (rule 3 and the forbidden list).
Other code (the domain-wide wording test) imports this tuple."""

RISK_WORDING: Mapping[str, tuple[str, ...]] = {
    "en": (
        "NOT principal-protected",
        "not deposits",
        "returns are not guaranteed",
        "past performance does not predict future results",
        "R1",
        "R5",
    ),
    "zh": (
        "不保本",
        "不是存款",
        "不保证收益",
        "过往业绩不代表未来表现",
        "R1",
        "R5",
    ),
}
"""Rule 5: the catalog's risk wording, which wealth-product answers keep verbatim."""

RISK_FAQS: frozenset[str] = frozenset({"wealth_products"})
"""FAQs about products with risk (rule 5)."""

FIGURE_FAQS: frozenset[str] = frozenset(
    {
        "account_fees",
        "transfer_fees",
        "card_lost_info",
        "card_replacement",
        "credit_card_repayment",
        "credit_card_annual_fee",
        "loan_rates",
        "mortgage_apply",
        "deposit_rates",
        "forex_remittance",
        "atm_withdrawal",
    }
)
"""FAQs that quote rates or fees: rule 4 asks them to say where the figure
comes from and that the contract / approval / certificate is final. A new FAQ
whose facts contain a percentage or the LPR is included automatically; add
other fee FAQs here."""

RULE4_SOURCE: Mapping[str, tuple[str, ...]] = {
    "en": ("fee schedule", "rate board", "card terms", "published"),
    "zh": ("收费标准", "牌告", "章程", "公布"),
}
RULE4_FINAL: Mapping[str, tuple[str, ...]] = {
    "en": ("contract", "approval", "certificate", "agreement"),
    "zh": ("合同", "审批", "存单", "协议", "为准"),
}

DEFAULT_MIN_EXAMPLES = 15
DEFAULT_MIN_TESTS = 5
NEAR_DUPLICATE_JACCARD = 0.9
