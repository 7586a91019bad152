"""bot/language.py: per-message language and the language asked for."""

from __future__ import annotations

import pytest

from tests.bot.conftest import import_engine_module

language = import_engine_module("bot.language")
Message = import_engine_module("rasa.shared.nlu.training_data.message").Message

pytestmark = pytest.mark.engine_env


@pytest.mark.parametrize(
    "text",
    [
        "你们几点开门",
        "营业时间是几点到几点？",
        "營業時間幾點",  # traditional characters
        "APP登不上",  # mixed: Chinese grammar carries it
        "ATM取款limit多少",
        "Hi, 我想问一下开户",
        "说英文",  # asks for English, but is written in Chinese
        "ＡＰＰ怎么下载",  # full-width letters
    ],
)
def test_chinese(text: str) -> None:
    assert language.detect_language(text) == "zh"


@pytest.mark.parametrize(
    "text",
    [
        "what are your opening hours",
        "I lost my card",
        "thanks",
        "please answer in English",
        "what is 转账 fee",  # one borrowed Chinese word in English
        "hello, how do I open an account?",
    ],
)
def test_english(text: str) -> None:
    assert language.detect_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "500",
        "13800138000",
        "😀😀😀",
        "？？？!!!",
        "ok",
        "APP",
        "hello",  # a Chinese customer may type it: not enough to switch
        "yes",
        "https://www.example.com/a/b",
        '/choose_faq{"faq_key":"opening_hours"}',  # a button payload
        "asdfghjkl",  # keyboard mash
    ],
)
def test_no_clear_language(text: str) -> None:
    assert language.detect_language(text) is None


@pytest.mark.parametrize(
    "text, wanted",
    [
        ("说英文", "en"),
        ("请用英语回答", "en"),
        ("说中文", "zh"),
        ("please answer in English", "en"),
        ("can you speak chinese", "zh"),
        ("Mandarin please", "zh"),
        ("我看不懂中文", "en"),
        ("I don't understand English", "zh"),
        ("别说中文了，说英文", "en"),
        ("你们几点开门", None),
    ],
)
def test_target_language(text: str, wanted: str | None) -> None:
    assert language.target_language(text) == wanted


def test_component_adds_entities_only_when_clear() -> None:
    component = language.LanguageDetector(language.LanguageDetector.get_default_config())
    messages = [
        Message(data={"text": "please answer in English"}),
        Message(data={"text": "12345"}),
        Message(data={"text": "APP登不上"}),
    ]
    component.process(messages)
    english, digits, chinese = (m.get("entities", []) for m in messages)

    assert {(e["entity"], e["value"]) for e in english} == {
        ("language", "en"),
        ("target_language", "en"),
    }
    assert all(e["extractor"] == "LanguageDetector" for e in english)
    assert digits == []
    assert [(e["entity"], e["value"]) for e in chinese] == [("language", "zh")]


def test_with_a_vocabulary_only_known_words_are_english() -> None:
    vocabulary = language.english_vocabulary(
        ["what are your opening hours", "I lost my card", "你们几点开门", "fees"]
    )
    assert {"opening", "hours", "lost", "card", "fees"} <= vocabulary
    assert "你们几点开门" not in vocabulary

    assert language.detect_language("asdkjh qweoiu zxcv", vocabulary) is None
    assert language.detect_language("qwerty uiop", vocabulary) is None
    assert language.detect_language("fees", vocabulary) == "en"
    # unseen words with English stop words are still English
    assert language.detect_language("what's the weather in Beijing", vocabulary) == "en"
    assert language.detect_language("APP登不上", vocabulary) == "zh"


@pytest.mark.parametrize(
    "token",
    [
        # sealed phone numbers whose random letters spell a word ("-my", "-IT-")
        "PHONE_82O8k6aePF8f60VtU04aJflgBqMURFFGwsWDQPTA1cQu2zO3b-my",
        "PHONE_Dws8480szx2x0IHMVdUjd16ZnNgQvC3Lb81vpfyDUjjg-IT-JJxx",
    ],
)
def test_a_sealed_phone_number_is_no_evidence_of_english(token: str) -> None:
    # A Chinese customer answering "your phone number?" must stay in Chinese.
    vocabulary = language.english_vocabulary(["what is my card limit", "is it open"])
    assert language.detect_language(token, vocabulary) is None
    assert language.detect_language(f"号码是{token}", vocabulary) == "zh"
    assert language.detect_language(f"my number is {token}", vocabulary) == "en"


def test_trained_component_keeps_a_mash_neutral(tmp_path) -> None:
    graph = import_engine_module("rasa.engine.graph")
    storage = import_engine_module("rasa.engine.storage.local_model_storage").LocalModelStorage(
        tmp_path
    )
    Resource = import_engine_module("rasa.engine.storage.resource").Resource
    TrainingData = import_engine_module("rasa.shared.nlu.training_data.training_data").TrainingData
    context = graph.ExecutionContext(graph.GraphSchema({}), "test")
    config = language.LanguageDetector.get_default_config()

    detector = language.LanguageDetector.create(config, storage, Resource("lang"), context)
    detector.train(TrainingData([Message(data={"text": "what time do you open", "intent": "faq"})]))
    loaded = language.LanguageDetector.load(config, storage, Resource("lang"), context)

    assert "open" in loaded.vocabulary
    mash, english = (
        Message(data={"text": "asdkjh qweoiu"}),
        Message(data={"text": "when do you open"}),
    )
    loaded.process([mash, english])
    assert mash.get("entities", []) == []
    assert [e["value"] for e in english.get("entities")] == ["en"]
