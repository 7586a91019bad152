"""Typed commands are neutralised; one-time codes never leave the gateway in clear."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from handoff.services.commands import as_code, code_command, neutralise_command


@pytest.mark.parametrize("text", ["123456", " 123 456 ", "１２３４５６"])
def test_six_digits_are_a_code(text: str) -> None:
    assert as_code(text) == "123456"


@pytest.mark.parametrize("text", ["12345", "1234567", "code 123456", "12345a"])
def test_anything_else_is_not_a_code(text: str) -> None:
    assert as_code(text) is None


def test_the_engine_gets_a_keyed_digest_never_the_code() -> None:
    command = code_command("k" * 32, "conv1", "123456")
    assert "123456" not in command
    intent, _, entities = command.partition("{")
    assert intent == "/submit_code"
    digest = json.loads("{" + entities)["code_digest"]
    assert digest == hmac.new(b"k" * 32, b"conv1:123456", hashlib.sha256).hexdigest()
    # Bound to the conversation: the same code elsewhere gives another digest.
    assert code_command("k" * 32, "conv2", "123456") != command


def test_offered_payloads_pass_and_typed_commands_are_neutralised() -> None:
    offered = {"/request_human"}
    assert neutralise_command("/request_human", offered) == "/request_human"
    assert neutralise_command('/submit_code{"code_digest":"x"}', offered).startswith("\uff0f")
    assert neutralise_command("/check_balance", set()) == "\uff0fcheck_balance"
    assert neutralise_command("hello /there", set()) == "hello /there"


def test_codes_inside_a_sentence_are_masked() -> None:
    from handoff.services.commands import mask_codes

    assert mask_codes("my code is 123456 thanks") == "my code is ****** thanks"
    assert mask_codes("验证码１２３４５６") == "验证码******"
    assert mask_codes("card 6222021234566789") == "card 6222021234566789"  # not a 6-digit group


def test_the_engine_never_gets_full_id_or_card_numbers_but_gets_phones() -> None:
    from handoff.services.redaction import redact_for_engine

    text = "id 110101199003071234 card 6222 0212 3456 6789 phone 13800138000"
    sent = redact_for_engine(text)
    assert "110101199003071234" not in sent and "6222 0212 3456 6789" not in sent
    assert "**** 6789" in sent and "13800138000" in sent
