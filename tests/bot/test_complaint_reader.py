"""bot/complaint_reader.py: a complaint's category, learned from the repository's data.

The reader is trained as ``rasa train`` trains it — the bank's tokenizer, the
pipeline's two count featurizers and the NLU data of ``data/nlu`` — then
loaded back from its model storage and asked about complaints it never saw.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.conftest import import_engine_module

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory):
    """A function text -> the ``complaint`` reading, from a freshly trained reader."""
    reader_module = import_engine_module("bot.complaint_reader")
    tokenizer_module = import_engine_module("bot.tokenizer")
    featurizers = import_engine_module(
        "rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer"
    )
    storage_module = import_engine_module("rasa.engine.storage.local_model_storage")
    resource_module = import_engine_module("rasa.engine.storage.resource")
    graph = import_engine_module("rasa.engine.graph")
    loading = import_engine_module("rasa.shared.nlu.training_data.loading")
    message_module = import_engine_module("rasa.shared.nlu.training_data.message")

    storage = storage_module.LocalModelStorage(tmp_path_factory.mktemp("complaint-model"))
    context = graph.ExecutionContext(graph.GraphSchema({}), "test")

    def make(cls, name: str, **config):
        return cls.create({**cls.get_default_config(), **config}, storage,
                          resource_module.Resource(name), context)  # fmt: skip

    tokenizer = make(tokenizer_module.BankJiebaTokenizer, "tok",
                     dictionary_path=str(ROOT / "bot" / "jieba_dict"))  # fmt: skip
    tokenizer_module.BankJiebaTokenizer._load_custom_dictionary(str(ROOT / "bot" / "jieba_dict"))
    words = make(featurizers.CountVectorsFeaturizer, "words")
    chars = make(featurizers.CountVectorsFeaturizer, "chars",
                 analyzer="char_wb", min_ngram=1, max_ngram=4)  # fmt: skip
    cls = reader_module.ComplaintReader
    config = {**cls.get_default_config(), "C": 10.0}
    reader = cls.create(config, storage, resource_module.Resource("reader"), context)

    data = loading.load_data(str(ROOT / "data" / "nlu"))
    tokenizer.process_training_data(data)
    for featurizer in (words, chars):
        featurizer.train(data)
        featurizer.process_training_data(data)
    reader.train(data)
    served = cls.load(config, storage, resource_module.Resource("reader"), context)

    def parse(text: str) -> dict:
        message = message_module.Message(data={"text": text})
        tokenizer.process([message])
        words.process([message])
        chars.process([message])
        served.process([message])
        return message.get("complaint")

    return parse


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("上周二在锦江支行，柜员嫌我动作慢，当着别人的面训我", "service_attitude"),
        (
            "the cashier at your Maple Street branch snapped at me and refused to explain anything",
            "service_attitude",
        ),
        ("前天在自助机上转账，钱扣了对方一直没收到，查了也没结果", "business_handling"),
        ("I handed in my loan documents twice and you lost them both times", "business_handling"),
        ("你们的信用卡分期说零利息，结果每期都有手续费", "product"),
        ("your app logs me out every time I open the transfer page", "product"),
        ("有人打电话给我，能说出我在你们行的存款金额，肯定是信息泄露", "information_security"),
        ("a letter with my account details was delivered to my neighbour", "information_security"),
        ("网点门口的台阶太高，推婴儿车根本进不去", "other"),
        ("the queue ticket machine at your branch was broken all morning", "other"),
    ],
)
def test_complaints_never_seen_are_filed_under_their_category(
    read, text: str, category: str
) -> None:
    reading = read(text)
    assert reading["category"] == category, reading["ranking"]
    assert 0.0 < reading["confidence"] <= 1.0
    assert [r["name"] for r in reading["ranking"]][0] == category
    assert abs(sum(r["confidence"] for r in reading["ranking"]) - 1.0) < 0.01


@pytest.mark.parametrize(
    ("answer", "category"),
    [
        ("那个客服太敷衍了", "service_attitude"),
        ("a mistake with my transfer", "business_handling"),
        ("乱收费", "product"),
        ("my data got out", "information_security"),
    ],
)
def test_a_free_text_answer_to_which_kind_is_understood(read, answer: str, category: str) -> None:
    assert read(answer)["category"] == category


def test_the_reading_carries_when_and_where(read) -> None:
    reading = read("我要投诉，昨天下午在人民路支行，大堂经理对我很不耐烦")
    assert reading["when"] == ["昨天下午"] and reading["where"] == ["人民路支行"]


@pytest.mark.parametrize(
    "text", ["", "   ", '/choose_complaint_category{"complaint_category":"other"}']
)
def test_nothing_said_nothing_read(read, text: str) -> None:
    reading = read(text)
    assert reading["category"] is None and reading["when"] == [] and reading["where"] == []


@pytest.mark.parametrize("text", ["😡😡😡", "!!!???", "A" * 4000, "<script>x</script>"])
def test_odd_input_never_breaks_a_parse(read, text: str) -> None:
    reading = read(text)
    assert set(reading) >= {"category", "confidence", "ranking", "when", "where"}
