"""bot/tokenizer.py: jieba on normalised text, no whitespace tokens."""

from __future__ import annotations

import pytest

from common import identifiers
from common.text import has_words
from tests.bot.conftest import import_engine_module

tokenizer = import_engine_module("bot.tokenizer")
Message = import_engine_module("rasa.shared.nlu.training_data.message").Message
normalise = import_engine_module("bot.normalise")

pytestmark = pytest.mark.engine_env


@pytest.fixture(scope="module")
def tok():
    config = {
        **tokenizer.BankJiebaTokenizer.get_default_config(),
        "dictionary_path": "bot/jieba_dict",
    }
    tokenizer.BankJiebaTokenizer._load_custom_dictionary("bot/jieba_dict")
    return tokenizer.BankJiebaTokenizer(config, None, None)


def tokens(tok, text: str) -> list[tuple[str, int, int]]:
    return [(t.text, t.start, t.end) for t in tok.tokenize(Message(data={"text": text}), "text")]


def test_no_whitespace_tokens(tok) -> None:
    assert tokens(tok, "what  are your\topening hours") == [
        ("what", 0, 4),
        ("are", 6, 9),
        ("your", 10, 14),
        ("opening", 15, 22),
        ("hours", 23, 28),
    ]


def test_traditional_and_full_width_are_normalised_offsets_kept(tok) -> None:
    text = "ＡＰＰ營業時間"
    assert [(t, text[s:e]) for t, s, e in tokens(tok, text)] == [
        ("APP", "ＡＰＰ"),
        ("营业时间", "營業時間"),
    ]


def test_banking_dictionary(tok) -> None:
    words = [t for t, _, _ in tokens(tok, "手机银行跨行转账限额")]
    assert words == ["手机银行", "跨行", "转账", "限额"]


def test_normalise_keeps_length() -> None:
    for text in ["營業時間", "ＡＢＣ１２３", "帳戶", "㎡ ﬁ", "😀"]:
        assert len(normalise.normalise(text)) == len(text)
    assert normalise.normalise("帳戶餘額") == "账户余额"


def test_pieces_of_links_are_dropped(tok) -> None:
    words = [t for t, _, _ in tokens(tok, "这个链接https://www.example.com/login安全吗")]
    assert "login" not in words and "www" not in words
    assert "链接" in words and "安全" in words


def test_a_bare_link_keeps_its_tokens(tok) -> None:
    assert tokens(tok, "https://www.example.com/login")  # never an empty message


def test_a_sealed_phone_number_reads_as_one_stand_in_token(tok) -> None:
    key, phone = "k" * 32, "13700001234"
    texts = [f"新手机号{identifiers.seal_phone(key, c, phone)}怎么绑定" for c in ("c1", "c2")]
    assert texts[0] != texts[1]  # every conversation seals the number differently
    read = [tokens(tok, text) for text in texts]
    assert [t for t, _, _ in read[0]] == [t for t, _, _ in read[1]]
    assert identifiers.PHONE_STAND_IN in [t for t, _, _ in read[0]]
    token = next(x for x in read[0] if x[0] == identifiers.PHONE_STAND_IN)
    assert texts[0][token[1]:token[2]].startswith("PHONE_")  # offsets into the sent text


def test_has_words() -> None:
    assert has_words("卡丢了")
    assert has_words("ok")
    for text in ["", "12345", "😀", "？？！", "https://x.example/login", "a@b.com"]:
        assert not has_words(text), text


def test_markup_is_dropped_but_its_text_kept(tok) -> None:
    words = [t for t, _, _ in tokens(tok, "<b>转账</b>手续费多少")]
    assert "b" not in words and "转账" in words
    assert not has_words("<script>alert(1)</script>")
    assert has_words("<b>hi</b>")
