"""bot/emotion.py: upset customers are recognised, polite problem reports are not."""

from __future__ import annotations

import pytest

from tests.bot.conftest import import_engine_module

emotion = import_engine_module("bot.emotion")
Message = import_engine_module("rasa.shared.nlu.training_data.message").Message

pytestmark = pytest.mark.engine_env

UPSET = {
    "zh": [
        ("气死我了，转账三天还没到！！！", "anger"),
        ("你们这什么破银行", "anger"),
        ("太过分了，乱扣我的钱", "anger"),
        ("垃圾银行，我要销户", "anger"),
        ("我真的受够了，每次都这样", "anger"),
        ("你们是不是在耍我", "anger"),
        ("傻逼机器人听不懂人话", "anger"),
        ("客服就是个废物", "anger"),
        ("妈的又扣钱", "anger"),
        ("忍无可忍了，给我找个人", "anger"),
        ("急死了，卡被吞了明天要用钱", "distress"),
        ("救命，我的钱全没了", "distress"),
        ("我快崩溃了，房租交不上了", "distress"),
        ("求求你们帮帮我，我真的很害怕", "distress"),
        ("完了完了，我把验证码告诉别人了怎么办啊", "distress"),
    ],
    "en": [
        ("this is ridiculous, my transfer is still missing!!!", "anger"),
        ("worst bank ever", "anger"),
        ("I'm so angry right now", "anger"),
        ("you people are useless, you are useless", "anger"),
        ("what the fuck is wrong with your app", "anger"),
        ("this is UNACCEPTABLE, FIX IT NOW", "anger"),
        ("I'm fed up with this terrible service", "anger"),
        ("stupid bot can't understand anything", "anger"),
        ("total rip-off, you charged me twice", "anger"),
        ("this is a waste of my time", "anger"),
        ("please help me, I'm panicking, all my money is gone", "distress"),
        ("I'm desperate, I need the money today", "distress"),
        ("I'm terrified someone has my card", "distress"),
        ("I am freaking out, my account is empty", "distress"),
        ("I'm so worried, I can't sleep", "distress"),
    ],
}

CALM = {
    "zh": [
        "我的转账失败了，请问怎么办？",
        "我的卡被冻结了怎么办",
        "转账三天了还没到账，帮我看看",
        "我收到了很多垃圾短信",
        "有人冒充客服说我卡有问题，是骗子吗",
        "我不生气，就是想问问",
        "请问信用卡年费怎么免？？？",
        "你们几点开门",
        "卡丢了，麻烦帮我挂失",
        "APP登不上，提示密码错误",
        "这个手续费有点高，能便宜吗",
        "谢谢你，太好了",
        "我想投诉一下柜台的服务",
        "利率太低了吧",
        "麻烦转人工",
    ],
    "en": [
        "my transfer failed, what can I do?",
        "my card was declined at the shop",
        "I'm not angry, just asking",
        "sorry if this is a stupid question, how do I open an account",
        "what are your opening hours???",
        "I lost my card, please help",
        "the app keeps crashing when I log in",
        "is there an ATM fee?",
        "I'd like to make a complaint about a branch",
        "thanks, that was really helpful",
        "why is my balance lower than expected",
        "I think someone used my card",
        "can I talk to an agent please",
        "the SMS code never arrives",
        "my PIN is blocked, what now",
    ],
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_precision_and_recall_on_the_labelled_messages(language: str) -> None:
    upset = UPSET[language]
    calm = CALM[language]
    found = [emotion.read_emotion(text).emotion for text, _ in upset]
    false_alarms = [text for text in calm if emotion.read_emotion(text).emotion]
    true_positives = sum(1 for f, (_, want) in zip(found, upset, strict=True) if f == want)
    recall = true_positives / len(upset)
    precision = true_positives / max(1, true_positives + len(false_alarms))
    assert false_alarms == []
    assert precision >= 0.95 and recall >= 0.9, (precision, recall, found)


@pytest.mark.parametrize("text", [t for texts in CALM.values() for t in texts])
def test_calm_messages_do_not_fire(text: str) -> None:
    assert emotion.read_emotion(text).emotion is None


def test_punctuation_and_capitals_alone_are_not_emotion() -> None:
    assert emotion.read_emotion("WHAT ARE YOUR OPENING HOURS???").emotion is None
    assert emotion.read_emotion("！！！！！").emotion is None


def test_negated_words_do_not_count() -> None:
    assert emotion.read_emotion("I'm not angry").emotion is None
    assert emotion.read_emotion("我并不生气").emotion is None


def test_signals_add_up() -> None:
    plain = emotion.read_emotion("this is ridiculous").score
    stronger = emotion.read_emotion("this is SO RIDICULOUS!!!").score
    assert stronger > plain


def test_component_adds_the_entity() -> None:
    component = emotion.EmotionDetector(emotion.EmotionDetector.get_default_config())
    upset, calm = Message(data={"text": "气死我了！！！"}), Message(data={"text": "你们几点开门"})
    component.process([upset, calm])
    (entity,) = upset.get("entities")
    assert entity["entity"] == "emotion" and entity["value"] == "anger"
    assert entity["extractor"] == "EmotionDetector"
    assert calm.get("entities", []) == []
