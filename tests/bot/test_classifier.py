"""bot/classifier.py: trained for real (tokenizer + featurizers + SVM) on a
small data set, saved, loaded and asked."""

from __future__ import annotations

import pytest

from tests.bot.conftest import import_engine_module

classifier = import_engine_module("bot.classifier")
tokenizer = import_engine_module("bot.tokenizer")
graph = import_engine_module("rasa.engine.graph")
storage_module = import_engine_module("rasa.engine.storage.local_model_storage")
resource_module = import_engine_module("rasa.engine.storage.resource")
cvf = import_engine_module("rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer")
Message = import_engine_module("rasa.shared.nlu.training_data.message").Message
TrainingData = import_engine_module("rasa.shared.nlu.training_data.training_data").TrainingData

pytestmark = pytest.mark.engine_env

EXAMPLES = {
    "greet": ["你好", "您好", "在吗", "hello", "hi there", "good morning"],
    "goodbye": ["再见", "拜拜", "bye", "goodbye", "see you later", "先这样 再见"],
    "faq/opening_hours": [
        "几点开门",
        "营业时间",
        "周末营业吗",
        "网点几点关门",
        "what time do you open",
        "opening hours",
        "are you open on weekends",
        "when do branches close",
    ],
    "faq/transfer_fees": [
        "转账手续费",
        "跨行转账收费吗",
        "转账要手续费吗",
        "柜台转账手续费多少",
        "transfer fee",
        "do transfers cost money",
        "fee for sending money to another bank",
        "transfer charges",
    ],
    "faq/atm_withdrawal": [
        "ATM取款手续费",
        "取款机一天能取多少",
        "跨行取款收手续费吗",
        "ATM取款限额",
        "atm fee",
        "atm withdrawal limit",
        "fee for using another bank's atm",
        "how much can i withdraw",
    ],
}


def _message(text: str, label: str) -> Message:
    if label.startswith("faq/"):
        return Message(data={"text": text, "intent": "faq", "intent_response_key": label})
    return Message(data={"text": text, "intent": label})


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(load, featurize): a trained, saved classifier and the featurizing steps."""
    path = tmp_path_factory.mktemp("model")
    storage = storage_module.LocalModelStorage(path)
    context = graph.ExecutionContext(graph.GraphSchema({}), "test")
    Resource = resource_module.Resource

    tok = tokenizer.BankJiebaTokenizer.create(
        tokenizer.BankJiebaTokenizer.get_default_config(), storage, Resource("tok"), context
    )
    featurizers = []
    for name, extra in (
        ("words", {}),
        ("chars", {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}),
    ):
        config = {**cvf.CountVectorsFeaturizer.get_default_config(), **extra}
        featurizers.append(
            cvf.CountVectorsFeaturizer.create(config, storage, Resource(name), context)
        )

    data = TrainingData([_message(t, label) for label, texts in EXAMPLES.items() for t in texts])
    tok.process_training_data(data)
    for featurizer in featurizers:
        featurizer.train(data)
        featurizer.process_training_data(data)

    config = classifier.LinearIntentClassifier.get_default_config()
    resource = Resource("clf")
    classifier.LinearIntentClassifier.create(config, storage, resource, context).train(data)
    loaded = classifier.LinearIntentClassifier.load(config, storage, resource, context)

    def ask(text: str) -> Message:
        message = Message(data={"text": text})
        tok.process([message])
        for featurizer in featurizers:
            featurizer.process([message])
        loaded.process([message])
        return message

    return loaded, ask


def test_core_intent(trained) -> None:
    _, ask = trained
    message = ask("你好呀")
    assert message.get("intent")["name"] == "greet"
    assert message.get("intent_ranking")[0]["name"] == "greet"
    assert all(r["name"] != "faq/opening_hours" for r in message.get("intent_ranking"))


def test_faq_collapses_into_the_retrieval_intent_with_its_answer(trained) -> None:
    _, ask = trained
    message = ask("请问你们几点开门")
    intent = message.get("intent")
    assert intent["name"] == "faq"
    assert intent["full_retrieval_intent_name"] == "faq/opening_hours"
    selector = message.get("response_selector")
    assert selector["all_retrieval_intents"] == ["faq"]
    response = selector["faq"]["response"]
    assert response["intent_response_key"] == "faq/opening_hours"
    assert response["utter_action"] == "utter_faq/opening_hours"
    ranking = selector["faq"]["ranking"]
    assert ranking[0]["intent_response_key"] == "faq/opening_hours"
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])


def test_english_and_traditional(trained) -> None:
    _, ask = trained
    assert (
        ask("what are your opening hours").get("intent")["full_retrieval_intent_name"]
        == "faq/opening_hours"
    )
    assert ask("營業時間").get("intent")["full_retrieval_intent_name"] == "faq/opening_hours"


def test_unknown_text_has_no_confidence(trained) -> None:
    _, ask = trained
    message = ask("😀😀😀")
    # the only feature char_wb gives is the padding space, shared by everything;
    # whatever the best guess, it must not be a confident FAQ answer
    intent = message.get("intent")
    if intent["name"] == "faq":
        assert intent["confidence"] < 0.6


def test_a_keyword_shared_by_several_answers_is_ambiguous(trained) -> None:
    loaded, ask = trained
    message = ask("手续费")
    ranking = message.get("response_selector")["faq"]["ranking"]
    keys = [r["intent_response_key"] for r in ranking[:2]]
    assert set(keys) == {"faq/transfer_fees", "faq/atm_withdrawal"}
    assert ranking[0]["confidence"] < loaded.config["keyword_dominance"]


def test_a_keyword_of_one_answer_is_not(trained) -> None:
    _, ask = trained
    ranking = ask("营业时间").get("response_selector")["faq"]["ranking"]
    assert ranking[0]["intent_response_key"] == "faq/opening_hours"
    assert ranking[0]["confidence"] > 0.6


def test_softmax_rows_sum_to_one() -> None:
    import numpy as np

    rows = classifier.softmax(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    assert rows.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert rows[1] == pytest.approx([1 / 3] * 3)


@pytest.mark.parametrize(
    "text",
    [
        "12345678",
        "😀😀😀",
        "？？？！！！",
        "https://www.example.com/login?x=1",
        "   ",
        "\n\t",
        # a phone number as the engine receives it: sealed by the gateway
        "PHONE_82O8k6aePF8f60VtU04aJflgBqMURFFGwsWDQPTA1cQu2zO3b-my",
    ],
)
def test_messages_without_words_have_no_confidence(trained, text: str) -> None:
    _, ask = trained
    message = ask(text)
    assert message.get("intent")["confidence"] == 0.0
    assert all(r["confidence"] == 0.0 for r in message.get("response_selector")["faq"]["ranking"])


def test_a_word_never_seen_is_at_most_half_sure(trained) -> None:
    _, ask = trained
    assert ask("wertyu").get("intent")["confidence"] <= 0.5
    assert ask("hellooo there").get("intent")["name"] == "greet"  # one known word is enough
