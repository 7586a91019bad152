"""bot/complaint_reader.py: a complaint's category, learned from the repository's data.

The reader is trained as ``rasa train`` trains it, from ``data/complaints``,
then loaded back from its model storage and asked about complaints it never
saw, and about answers to "which kind of complaint is it?".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.conftest import import_engine_module

ROOT = Path(__file__).resolve().parents[2]


def _reader(tmp_path: Path, data_path: Path):
    module = import_engine_module("bot.complaint_reader")
    storage_module = import_engine_module("rasa.engine.storage.local_model_storage")
    resource_module = import_engine_module("rasa.engine.storage.resource")
    graph = import_engine_module("rasa.engine.graph")
    training = import_engine_module("rasa.shared.nlu.training_data.training_data")
    storage = storage_module.LocalModelStorage(tmp_path)
    resource = resource_module.Resource("complaint_reader")
    context = graph.ExecutionContext(graph.GraphSchema({}), "test")
    cls = module.ComplaintReader
    config = {**cls.get_default_config(), "data_path": str(data_path)}
    cls.create(config, storage, resource, context).train(training.TrainingData())
    return cls.load(config, storage, resource, context)


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory):
    """A function text -> the ``complaint`` reading, from a freshly trained and loaded reader."""
    reader = _reader(tmp_path_factory.mktemp("complaint-model"), ROOT / "data" / "complaints")
    message_module = import_engine_module("rasa.shared.nlu.training_data.message")

    def parse(text: str) -> dict:
        message = message_module.Message(data={"text": text})
        reader.process([message])
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


def test_without_labelled_complaints_times_and_places_are_still_read(tmp_path: Path) -> None:
    reader = _reader(tmp_path / "model", tmp_path / "nothing-here")
    reading = reader.read("昨天下午在人民路支行，柜员态度很差")
    assert reading["category"] is None and reading["ranking"] == []
    assert reading["when"] == ["昨天下午"] and reading["where"] == ["人民路支行"]


def test_the_fingerprint_follows_the_labelled_set(tmp_path: Path) -> None:
    module = import_engine_module("bot.complaint_reader")
    (tmp_path / "categories.yml").write_text("categories:\n  other: [a]\n", encoding="utf-8")
    before = module.ComplaintReader.fingerprint_addon({"data_path": str(tmp_path)})
    (tmp_path / "categories.yml").write_text("categories:\n  other: [b]\n", encoding="utf-8")
    assert module.ComplaintReader.fingerprint_addon({"data_path": str(tmp_path)}) != before
