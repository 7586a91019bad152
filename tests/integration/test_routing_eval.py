"""bankbot/routing_eval.py reads what the customer got, on the real stack.

Each message is the first of a new conversation through the gateway; the
evaluation's verdicts must match what the customer was actually sent to.
"""

from __future__ import annotations

import httpx
import pytest

from bankbot.dialogue_eval import Stack
from bankbot.local_stack import RunningStack
from bankbot.routing_eval import Labelled, play, report

pytestmark = pytest.mark.integration


@pytest.fixture
def played(stack: RunningStack):  # type: ignore[no-untyped-def]
    where = Stack(stack.gateway_url, stack.config.engine_url, stack.config.engine_token)
    with httpx.Client(base_url=where.gateway, timeout=60) as client:
        yield lambda item: play(where, client, item)


def test_an_upset_customer_is_read_as_sent_to_a_person(played) -> None:  # type: ignore[no-untyped-def]
    met = played(Labelled("upset", "zh", "气死我了，转账三天还没到，你们到底管不管！！！", "upset"))
    assert met.for_feelings and not met.urgent_fraud
    assert met.reason in ("emotion", "complaint") and met.priority == "high"


def test_a_victim_is_read_as_queued_urgently(played) -> None:  # type: ignore[no-untyped-def]
    text = "I gave my PIN to a man who called saying he was from the bank and now 5000 is gone"
    met = played(Labelled("fraud", "en", text, "victim"))
    assert met.urgent_fraud and met.reason == "fraud_risk" and met.priority == "urgent"


def test_a_prevention_question_and_a_calm_one_stay_with_the_bot(
    played, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    asked = "does the bank ever ask for my sms code"  # one of the FAQ's own examples
    prevention = played(Labelled("fraud", "en", asked, "prevention"))
    calm = played(Labelled("upset", "zh", "你们几点开门？", "calm"))
    assert prevention.reason is None and prevention.faq == "fraud_prevention"
    assert calm.reason is None and not calm.for_feelings and calm.faq == "opening_hours"
    report([prevention, calm])
    printed = capsys.readouterr().out
    assert "answered by the FAQ 1/1 = 100.0%" in printed
    assert "sent to a person at all 0/1 = 0.0%" in printed
    assert "calm sent there 0/1 = 0.0%" in printed


def test_a_calm_fraud_report_is_a_victim_queued_not_a_false_alarm(
    played, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    text = "A stranger called, I gave him my card PIN and now 5000 is gone. Please block the card."
    met = played(Labelled("upset", "en", text, "calm", "fraud_report_calm"))
    assert met.urgent_fraud and met.priority == "urgent"
    assert met.for_feelings and not met.calm_false_alarm
    report([met])
    printed = capsys.readouterr().out
    assert "calm sent there 0/1 = 0.0% (calm fraud reports queued as victims 1/1" in printed
    assert "[calm]" not in printed  # not listed as a miss


def test_an_ordinary_problem_does_not_get_the_fraud_warning(
    played, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    # the classifier reads this as the prevention question; both fraud heads say it is not
    text = "I sent 200 to my landlord but typed one digit of his account wrong, can I get it back?"
    met = played(Labelled("fraud", "en", text, "other"))
    assert met.reason is None and met.faq != "fraud_prevention"
    report([met])
    assert "other messages given the prevention answer 0/1 = 0.0%" in capsys.readouterr().out
