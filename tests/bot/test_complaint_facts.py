"""bot/complaint_facts.py: when and where a complaint happened, as the customer typed it."""

from __future__ import annotations

import pytest

from bot.complaint_facts import read_facts


@pytest.mark.parametrize(
    ("text", "when", "where"),
    [
        (
            "我要投诉，昨天下午三点左右在人民路支行，大堂经理对我很不耐烦",
            ["昨天下午三点左右"],
            ["人民路支行"],
        ),
        ("上週三在中環路分行辦外匯匯款，櫃員把名字拼錯了", ["上週三"], ["中環路分行"]),
        ("半个月前在你们公众号上兑的积分礼品还没发货", ["半个月前"], ["公众号"]),
        ("本月10号晚上打95-000热线等了40分钟", ["本月10号晚上"], ["95-000热线"]),
        ("去年11月在和平路网点买的基金", ["去年11月"], ["和平路网点"]),
        (
            "this morning 11点左右在星海支行 卡被ATM吞了",
            ["this morning 11点左右"],
            ["星海支行", "ATM"],
        ),
        (
            "Yesterday around 3pm at your Binjiang branch the teller was rude",
            ["Yesterday around 3pm"],
            ["Binjiang branch"],
        ),
        (
            "The evening before last, around 8pm, I paid through your app",
            ["The evening before last, around 8pm"],
            ["your app"],
        ),
        (
            "On the 10th of this month I called 95-000 and waited 40 minutes",
            ["the 10th of this month"],
            ["95-000"],
        ),
        ("Two days ago I submitted it online via live chat", ["Two days ago"], ["live chat"]),
        ("signed up at the Wanda Plaza stand last September", ["last September"], ["Wanda Plaza"]),
    ],
)
def test_times_and_places_in_both_languages(text: str, when: list[str], where: list[str]) -> None:
    facts = read_facts(text)
    assert facts.when == when
    assert facts.where == where


@pytest.mark.parametrize(
    "text",
    [
        "我要投诉",
        "柜员态度很差，说话很难听",
        "等了两个小时才轮到我",  # how long, not when
        "I want to make a complaint",
        "the fee was 200 yuan and nobody told me",
        "直接登记吧",
        "",
        '/choose_complaint_category{"complaint_category":"product"}',
    ],
)
def test_nothing_is_found_where_nothing_is_said(text: str) -> None:
    facts = read_facts(text)
    assert facts.when == [] and facts.where == []


def test_long_and_odd_input_is_read_without_error() -> None:
    text = "昨天！！！" * 800 + "<b>hi</b> 😡😡 ALL CAPS AT THE BRANCH"
    facts = read_facts(text)
    assert facts.when and facts.as_dict()["when"] == facts.when
