"""bot/emotion.py: upset customers are recognised, polite problem reports are not.

The labelled set (tests/bot/data/emotion_testset.yml) is measured here on the
words alone, against the same floors as ``make eval`` (which also runs it
through the trained model, intent classifier included).
"""

from __future__ import annotations

import pytest

from tests.bot.conftest import import_engine_module

emotion = import_engine_module("bot.emotion")
emotion_eval = import_engine_module("bot.emotion_eval")
Message = import_engine_module("rasa.shared.nlu.training_data.message").Message

pytestmark = pytest.mark.engine_env


def found(text: str, intent: str | None = None, confidence: float = 0.0) -> str | None:
    return emotion.read_emotion(text, intent, confidence).emotion


# --------------------------------------------------------------------------- the labelled set


def test_the_labelled_set_has_at_least_60_messages_per_language_of_both_kinds() -> None:
    items = emotion_eval.load_set()
    for language in ("zh", "en"):
        subset = [i for i in items if i.language == language]
        upset = [i for i in subset if i.expected]
        assert len(subset) >= 60 and len(upset) >= 25 and len(subset) - len(upset) >= 25


def test_the_labelled_set_is_not_training_data() -> None:
    assert emotion_eval.training_overlap(emotion_eval.load_set()) == []


@pytest.mark.parametrize("language", ["zh", "en"])
def test_precision_and_recall_on_the_labelled_set_meet_the_floor(language: str) -> None:
    outcomes = emotion_eval.run(emotion_eval.load_set(), emotion_eval.lexical_judge)
    figures = emotion_eval.figures(outcomes, language)
    assert figures.precision >= emotion_eval.MIN_PRECISION, figures
    assert figures.recall >= emotion_eval.MIN_RECALL, figures
    assert figures.kind_right >= 0.9 * figures.tp, figures


def test_the_eval_reports_and_fails_below_the_floor(capsys: pytest.CaptureFixture[str]) -> None:
    items = [
        emotion_eval.Labelled("气死我了", "zh", "anger"),
        emotion_eval.Labelled("你们几点开门", "zh", None),
        emotion_eval.Labelled("hello", "en", "anger"),  # a miss: recall 0 in English
    ]
    figures = emotion_eval.report("t", emotion_eval.run(items, emotion_eval.lexical_judge))
    zh, en = figures
    assert (zh.precision, zh.recall) == (1.0, 1.0)
    assert en.recall == 0.0
    out = capsys.readouterr().out
    assert "precision 100.0%" in out and "missed" in out and "'hello'" in out


# --------------------------------------------------------------------------- behaviour


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("气死我了，转账三天还没到！！！", "anger"),
        ("你们这什么破银行", "anger"),
        ("客服就是个废物", "anger"),
        ("急死了，卡被吞了明天要用钱", "distress"),
        ("我很着急", "distress"),  # a mild word made strong by 很
        ("担心死了", "distress"),  # ... or by a degree complement
        ("this is ridiculous, my transfer is still missing!!!", "anger"),
        ("you people are useless, you are useless", "anger"),
        ("I'm so worried", "distress"),
        ("Help! someone emptied my account", "distress"),
    ],
)
def test_upset_messages_fire(text: str, kind: str) -> None:
    assert found(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "我的转账失败了，请问怎么办？",
        "转账失败了怎么办",
        "my transfer failed, what can I do?",
        "我收到了很多垃圾短信",  # 垃圾 is mild, and 很 modifies 多, not 垃圾
        "我担心账户不安全，可以改一下密码吗",  # 不安 inside 不安全 is not uneasiness
        "我妈的账户余额是多少",  # 妈的 inside 我妈的 is not a curse
        "利滚利怎么算",
        "APP崩溃了怎么办",
        "sorry if this is a stupid question, how do I open an account",
        "please help me reset my password",
    ],
)
def test_polite_problem_reports_do_not_fire(text: str) -> None:
    assert found(text) is None


def test_punctuation_and_capitals_alone_are_not_emotion() -> None:
    assert found("WHAT ARE YOUR OPENING HOURS???") is None
    assert found("！！！！！") is None
    assert found("请问信用卡年费怎么免？？？") is None


def test_negated_words_do_not_count() -> None:
    assert found("I'm not angry") is None
    assert found("我并不生气") is None
    assert found("我不太生气") is None
    assert found("我现在特别慌") == "distress"  # the 别 of 特别 negates nothing
    assert found("钱没了急死了") == "distress"  # 没 negates 了, not 急死


def test_signals_add_up() -> None:
    plain = emotion.read_emotion("this is ridiculous")
    stronger = emotion.read_emotion("this is SO RIDICULOUS, FIX IT!!!")
    assert stronger.score > plain.score
    assert {"punctuation", "shouting"} <= set(stronger.signals)


def test_a_button_payload_is_never_emotional() -> None:
    assert found('/choose_complaint_category{"complaint_category":"other"}') is None


# --------------------------------------------------------------------------- with the intent


def test_thanks_with_relief_is_not_upset_but_sarcasm_is() -> None:
    assert found("谢谢，刚才吓死我了") == "distress"
    assert found("谢谢，刚才吓死我了", "thank", 0.9) is None
    assert found("thanks for nothing, useless bot", "thank", 0.9) == "anger"


def test_a_recognised_request_with_only_mild_words_is_answered() -> None:
    text = "I'm so worried, how do I freeze my card?"
    assert found(text) == "distress"
    assert found(text, "freeze_card", 0.9) is None
    assert found(text, "freeze_card", 0.5) == "distress"  # not sure what they want: a person
    assert found("我很着急，转账什么时候到账", "faq", 0.95) is None
    assert found("我很不满意，要投诉", "complain", 0.95) is None  # the complaint flow takes it


def test_a_strong_word_fires_whatever_the_intent() -> None:
    assert found("太过分了，我要投诉你们", "complain", 0.99) == "anger"
    assert found("急死了，卡丢了怎么挂失", "report_lost_card", 0.99) == "distress"
    assert found("气死我了 转人工", "request_human", 0.99) == "anger"


def test_component_adds_the_entity_using_the_intent() -> None:
    component = emotion.EmotionDetector(emotion.EmotionDetector.get_default_config())
    upset = Message(data={"text": "气死我了！！！", "intent": {"name": "faq", "confidence": 0.9}})
    calm = Message(data={"text": "你们几点开门"})
    relieved = Message(
        data={"text": "谢谢，吓死我了", "intent": {"name": "thank", "confidence": 0.9}}
    )
    component.process([upset, calm, relieved])
    (entity,) = upset.get("entities")
    assert entity["entity"] == "emotion" and entity["value"] == "anger"
    assert entity["extractor"] == "EmotionDetector" and 0.6 <= entity["confidence_entity"] <= 1
    assert calm.get("entities", []) == []
    assert relieved.get("entities", []) == []
