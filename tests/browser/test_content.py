"""The content team's pages in Chromium, end to end with the real engine and worker.

editor1 adds a FAQ in both languages; editor2 sees it side by side and approves
it; training runs in the background (the page is reloaded half-way and picks
the job up again), passes the evaluation gate and deploys; a customer in the
widget gets the new answer; a rollback takes it away again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bankbot.bench_content import new_faq_payload, start_content_stack
from bankbot.local_stack import RunningStack
from tests.browser import staff
from tests.browser.accessibility import Axe
from tests.browser.chat import Chat
from tests.browser.conftest import Browsing, Shoot

pytestmark = [pytest.mark.browser, pytest.mark.integration]

TRAINING_MS = 600_000  # a training under load on 2 cores; usually well under 3 minutes
NEW_ANSWER = "卡片管理"  # a phrase only the new FAQ's Chinese answer contains


@pytest.fixture(scope="module")
def content_stack(
    trained_model: Path, core_bank: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    running = start_content_stack(
        trained_model, tmp_path_factory.mktemp("content-browser"), core_database_url=core_bank
    )
    yield running
    running.stop()


def log_in(page: Page, base: str, username: str) -> None:
    """The staff login form, then the content pages."""
    staff.log_in(page, base, username, "/content")  # editors land on their pages
    expect(page.get_by_role("heading", name=re.compile("知识库管理"))).to_be_visible()


def ask_customer(browsing: Callable[..., Browsing], base: str, text: str) -> str:
    """A new customer (a fresh browser context) asks `text` in the widget; the bot's reply."""
    customer = browsing()
    page = customer.new_page()
    page.goto(base + "/")
    chat = Chat(page)
    chat.open()
    before = chat.server_count()
    chat.send(text)
    chat.wait_for_bubbles(before + 2)
    bubbles = [b for b in chat.bubbles() if b["seq"] is not None][before:]
    customer.assert_clean()
    return "\n".join(b["text"] for b in bubbles if b["sender"] != "customer")


def wait_for_job(page: Page, status: str) -> None:
    expect(page.locator("#job-stage")).to_contain_text(status, timeout=TRAINING_MS)


@pytest.mark.timeout(900)  # two trainings' worth of waiting (TRAINING_MS) and the stack's stop
def test_add_approve_train_deploy_answer_and_roll_back(
    content_stack: RunningStack, browsing: Callable[..., Browsing], shoot: Shoot, axe: Axe
) -> None:
    base = content_stack.gateway_url
    faq = new_faq_payload("card_activation")
    question = faq["test"]["zh"][0]

    # -- editor1 writes the FAQ in both languages ------------------------------------------
    author = browsing()
    page = author.new_page()
    log_in(page, base, "editor1")
    page.get_by_role("button", name="新增问答 New FAQ").click()
    page.locator("#f-id").fill(faq["id"])
    page.locator("#f-category").select_option(faq["category"])
    page.locator("#f-q-zh").fill(faq["question"]["zh"])
    page.locator("#f-q-en").fill(faq["question"]["en"])
    page.locator("#f-a-zh").fill(faq["answer"]["zh"])
    page.locator("#f-a-en").fill(faq["answer"]["en"])
    page.locator("#f-ex-zh").fill("\n".join(faq["examples"]["zh"]))
    page.locator("#f-ex-en").fill("\n".join(faq["examples"]["en"]))
    expect(page.locator("#f-ex-en-count")).to_have_text(str(len(faq["examples"]["en"])))
    shoot(page, "content-01-new-faq-form")
    axe.check(page, "content, a new FAQ filled in")
    page.get_by_role("button", name="提交审批 Save draft for approval").click()
    # Saving runs the content checks over every FAQ: seconds on a busy machine.
    expect(page.locator("#notice")).to_contain_text("someone else must approve it", timeout=30_000)
    expect(page.locator("#change-title")).to_contain_text(faq["id"])
    expect(page.locator("#change-approve")).to_be_hidden()  # not for the author
    author.assert_clean()

    # -- editor2 reviews it side by side and approves ---------------------------------------
    reviewer = browsing()
    review = reviewer.new_page()
    log_in(review, base, "editor2")
    review.get_by_role("tab", name=re.compile("待审批 Changes")).click()
    row = review.locator("#change-rows tr").filter(has_text=faq["id"])
    row.get_by_role("button", name="查看 Open").click()
    diff = review.locator("#diff-rows")
    expect(diff).to_contain_text(faq["answer"]["zh"])
    expect(diff).to_contain_text(faq["answer"]["en"])
    expect(diff.locator("td.added").first).to_be_visible()
    shoot(review, "content-02-approval-side-by-side")
    axe.check(review, "content, a new FAQ side by side for approval")
    review.get_by_role("button", name="批准 Approve").click()
    expect(review.locator("#notice")).to_contain_text("Approved")

    # -- training: the page may be closed and reopened --------------------------------------
    review.get_by_role("tab", name=re.compile("训练与上线 Training")).click()
    expect(review.locator("#not-live")).to_contain_text(faq["id"])
    live_before = review.locator("#live-model").inner_text()
    review.get_by_role("button", name="开始训练 Train now").click()
    expect(review.locator("#job")).to_be_visible()
    review.reload()
    review.get_by_role("tab", name=re.compile("训练与上线 Training")).click()
    expect(review.locator("#job-title")).to_contain_text("train")
    shoot(review, "content-03-training-progress")
    axe.check(review, "content, training in progress")
    wait_for_job(review, "成功 Succeeded")
    expect(review.locator("#gate-summary")).to_contain_text("通过 Passed")
    expect(review.locator("#job-message")).to_contain_text("Live")
    shoot(review, "content-04-passed-and-live")
    axe.check(review, "content, training passed the gate and went live")
    reviewer.assert_clean()

    # -- a customer now gets the new answer -----------------------------------------------
    assert NEW_ANSWER in ask_customer(browsing, base, question)

    # "try it" shows what the live model picks, with its confidence.
    review.get_by_role("tab", name=re.compile("试一试 Try it")).click()
    review.locator("#try-text").fill(question)
    review.get_by_role("button", name="试一试 Try it", exact=True).click()
    expect(review.locator("#try-live")).to_contain_text(faq["id"])
    axe.check(review, "content, try it")

    # -- one click back to the previous model; the answer is gone ---------------------------
    review.get_by_role("tab", name=re.compile("训练与上线 Training")).click()
    previous = live_before.split(" · ")[0]
    review.locator(f"#rollbacks button[data-model='{previous}']").click()
    wait_for_job(review, "成功 Succeeded")
    expect(review.locator("#job-message")).to_contain_text("Rolled back")
    expect(review.locator("#live-model")).to_contain_text(previous)
    shoot(review, "content-05-rolled-back")
    assert NEW_ANSWER not in ask_customer(browsing, base, question)

    review.get_by_role("tab", name=re.compile("审计 Audit log")).click()
    audit = review.locator("#audit-rows")
    for action in ("propose_add", "approve", "deploy", "rollback"):
        expect(audit).to_contain_text(action)
    reviewer.assert_clean()
