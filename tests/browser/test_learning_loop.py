"""The learning loop in Chromium, on the real engine, action server and training worker.

An agent sees why a handoff happened and marks it a false alarm; customers
ask something the assistant cannot answer; an editor finds those messages
grouped on the Unanswered page, starts a new FAQ from them, another editor
approves it, training deploys it, and a customer asking the same now gets the
new answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bankbot.bench_content import new_faq_payload, start_content_stack
from bankbot.local_stack import RunningStack
from tests.browser import staff
from tests.browser.accessibility import Axe
from tests.browser.conftest import Browsing, Shoot
from tests.browser.customers import ApiCustomer

pytestmark = [pytest.mark.browser, pytest.mark.integration]

TRAINING_MS = 600_000  # a training on a busy 2-core machine
UPSET = "问了几遍了到底有没有人管！！！"
# Three ways of asking how to activate a new card that today's model cannot
# answer (a "please rephrase", a "did you mean…", an out-of-scope reply).
UNANSWERED = ["新卡怎么激活", "收到新卡要怎么激活呀", "我的新卡怎么激活啊"]
NEW_ANSWER = "卡片管理"  # only the new FAQ's Chinese answer says this


@pytest.fixture(scope="module")
def loop_stack(
    trained_model: Path, core_bank: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    running = start_content_stack(
        trained_model, tmp_path_factory.mktemp("learning-loop"), core_database_url=core_bank
    )
    yield running
    running.stop()


def test_an_agent_sees_why_and_marks_a_false_alarm(
    loop_stack: RunningStack, browsing: Callable[..., Browsing], shoot: Shoot, axe: Axe
) -> None:
    base = loop_stack.gateway_url
    customer = ApiCustomer(base)
    try:
        turn = customer.say(UPSET)
        assert turn["state"] == "queued" and turn["handoff"]["reason"] == "emotion", turn
        session = browsing()
        page = session.new_page()
        staff.log_in(page, base, "agent1")
        row = page.locator("#queue-rows tr").filter(has_text="情绪")
        row.get_by_role("button", name=re.compile("Claim")).click()
        pane = page.locator("article.pane").first
        why = pane.locator("details.evidence-box")
        expect(why).to_be_visible()
        expect(why).to_contain_text("为何转人工 Why this handoff")
        expect(why.locator(".evidence-messages")).to_contain_text(UPSET)
        expect(why).to_contain_text("未验证 Not verified")
        shoot(page, "learning-01-why-this-handoff")
        axe.check(page, "console, why this handoff")
        why.get_by_role("button", name=re.compile("并非不满")).click()
        expect(why.locator(".dispute-done")).to_contain_text("已标记：并非不满 Marked: not upset")
        expect(why.get_by_role("button", name=re.compile("并非不满"))).to_have_count(0)
        session.assert_clean()
    finally:
        customer.close()


@pytest.mark.timeout(900)  # a training's worth of waiting and the stack's stop
def test_from_unanswered_messages_to_a_new_faq_answered_live(
    loop_stack: RunningStack, browsing: Callable[..., Browsing], shoot: Shoot, axe: Axe
) -> None:
    base = loop_stack.gateway_url
    for text in UNANSWERED:
        customer = ApiCustomer(base)
        try:
            assert NEW_ANSWER not in " ".join(r["text"] for r in customer.say(text)["replies"])
        finally:
            customer.close()

    # -- editor1 finds them grouped and starts a new FAQ from the group -------------------
    author = browsing()
    page = author.new_page()
    staff.log_in(page, base, "editor1", "/content")
    page.get_by_role("tab", name=re.compile("未解答 Unanswered")).click()
    group = page.locator("li.cluster").filter(has_text="新卡怎么激活")
    expect(group).to_have_count(1)
    expect(group.locator("h2")).to_contain_text("3 条 messages")
    expect(group).to_contain_text("最接近的问答 Nearest FAQ")
    # The agent's verdict of the other test is there too, as a false alarm.
    expect(page.locator("li.cluster").filter(has_text=UPSET)).to_contain_text("False alarm")
    shoot(page, "learning-02-unanswered")
    axe.check(page, "content, unanswered messages grouped")
    group.get_by_role("button", name="新建问答 New FAQ from these").click()

    faq = new_faq_payload("card_activation")
    form = page.locator("#faq-form")
    expect(form).to_be_visible()
    expect(page.locator("#faq-form-taken")).to_contain_text("3 unanswered message(s)")
    prefilled = page.locator("#f-ex-zh").input_value().splitlines()
    assert set(UNANSWERED) <= set(prefilled)
    page.locator("#f-id").fill(faq["id"])
    page.locator("#f-category").select_option(faq["category"])
    page.locator("#f-q-zh").fill(faq["question"]["zh"])
    page.locator("#f-q-en").fill(faq["question"]["en"])
    page.locator("#f-a-zh").fill(faq["answer"]["zh"])
    page.locator("#f-a-en").fill(faq["answer"]["en"])
    zh = prefilled + [e for e in faq["examples"]["zh"] if e not in prefilled]
    page.locator("#f-ex-zh").fill("\n".join(zh))
    page.locator("#f-ex-en").fill("\n".join(faq["examples"]["en"]))
    page.get_by_role("button", name="提交审批 Save draft for approval").click()
    expect(page.locator("#notice")).to_contain_text("someone else must approve it", timeout=30_000)
    page.get_by_role("tab", name=re.compile("未解答 Unanswered")).click()
    expect(page.locator("#unanswered-status")).to_contain_text("message(s)")
    expect(page.locator("li.cluster").filter(has_text="新卡怎么激活")).to_have_count(0)
    author.assert_clean()

    # -- editor2 approves; training deploys it ----------------------------------------------
    reviewer = browsing()
    review = reviewer.new_page()
    staff.log_in(review, base, "editor2", "/content")
    review.get_by_role("tab", name=re.compile("待审批 Changes")).click()
    row = review.locator("#change-rows tr").filter(has_text=faq["id"])
    row.get_by_role("button", name="查看 Open").click()
    expect(review.locator("#diff-rows")).to_contain_text(UNANSWERED[0])
    review.get_by_role("button", name="批准 Approve").click()
    expect(review.locator("#notice")).to_contain_text("Approved")
    review.get_by_role("tab", name=re.compile("训练与上线 Training")).click()
    review.get_by_role("button", name="开始训练 Train now").click()
    expect(review.locator("#job-stage")).to_contain_text("成功 Succeeded", timeout=TRAINING_MS)
    expect(review.locator("#job-message")).to_contain_text("Live")
    reviewer.assert_clean()

    # -- the question nobody could answer is answered now ---------------------------------
    customer = ApiCustomer(base)
    try:
        replies = customer.say(UNANSWERED[0])["replies"]
        assert NEW_ANSWER in " ".join(r["text"] for r in replies), replies
    finally:
        customer.close()
