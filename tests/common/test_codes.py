"""common.codes: a typed code becomes a keyed digest; codes in sentences are noticed and masked."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from common.codes import as_code, code_command, code_digest, mask_codes, typed_codes


def test_code_digest_is_the_keyed_hmac_bound_to_the_conversation() -> None:
    expected = hmac.new(b"k" * 32, b"conv1:123456", hashlib.sha256).hexdigest()
    assert code_digest("k" * 32, "conv1", "123456") == expected
    assert code_digest("k" * 32, "conv2", "123456") != expected
    with pytest.raises(ValueError):
        code_digest("", "conv1", "123456")


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


def test_codes_inside_a_sentence_are_masked() -> None:
    assert mask_codes("my code is 123456 thanks") == "my code is ****** thanks"
    assert mask_codes("验证码１２３４５６") == "验证码******"
    assert mask_codes("card 6222021234566789") == "card 6222021234566789"  # not a 6-digit group


def test_codes_typed_inside_a_sentence_are_noticed() -> None:
    assert typed_codes("我的验证码是 123456") == ["123456"]
    assert typed_codes("code: １２３ ４５６ thanks") == ["123456"]
    assert typed_codes("13800138000") == []
    assert typed_codes("hello") == []
