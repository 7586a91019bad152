"""bot/judgement.py: the learned detectors' output, persistence, bad input and fallback.

The detector is trained once per session on data/judgement (conftest's
``judgement_detector``), stored and loaded back as a model archive holds it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
from pathlib import Path

import pytest

from tests.bot.conftest import import_engine_module

judgement = import_engine_module("bot.judgement")
np = import_engine_module("numpy")
judgement_data = import_engine_module("bot.judgement_data")
BORROWED_KIND = import_engine_module("bot.judgement_borrowed").BORROWED_KIND
features = import_engine_module("bot.judgement_features")
Message = import_engine_module("rasa.shared.nlu.training_data.message").Message

pytestmark = pytest.mark.engine_env

ROOT = Path(__file__).resolve().parents[2]


def parse(detector, text: str, intent: dict | None = None) -> dict:
    message = Message(data={"text": text, **({"intent": intent} if intent else {})})
    detector.process([message])
    return message.as_dict(only_output_properties=True)


def emotion_of(parsed: dict) -> str | None:
    found = [e["value"] for e in parsed.get("entities") or [] if e["entity"] == "emotion"]
    return found[0] if found else None


# --------------------------------------------------------------------------- the protocol


def test_every_message_carries_the_judgement_in_its_output(judgement_detector) -> None:
    parsed = parse(judgement_detector, "你们几点开门？")
    upset, fraud = parsed["judgement"]["upset"], parsed["judgement"]["fraud_victim"]
    assert set(upset) == {"score", "flag", "kind", "threshold", "source"}
    assert set(fraud) == {"score", "flag", "threshold", "source"}
    assert upset["source"] == fraud["source"] == "model"
    assert 0.0 <= upset["score"] <= 1.0 and 0.0 <= fraud["score"] <= 1.0
    assert upset["flag"] is False and upset["kind"] is None and fraud["flag"] is False
    assert emotion_of(parsed) is None


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("气死我了，转账三天还没到！！！", "anger"),
        ("垃圾银行，你们几点开门", "anger"),
        ("急死我了，工资卡被冻结了，明天要交房租", "distress"),
        ("this is ridiculous, I've been waiting three days for my transfer!!!", "anger"),
        ("I'm panicking, my salary card is frozen and rent is due tomorrow", "distress"),
    ],
)
def test_an_upset_message_is_flagged_with_its_kind_and_the_emotion_entity(
    judgement_detector, text: str, emotion: str
) -> None:
    parsed = parse(judgement_detector, text)
    upset = parsed["judgement"]["upset"]
    assert upset["flag"] and upset["score"] >= upset["threshold"], upset
    assert judgement.EMOTION_OF_KIND[upset["kind"]] == emotion, upset
    assert emotion_of(parsed) == emotion


@pytest.mark.parametrize(
    "text",
    [
        "转账失败了怎么办",
        "我的卡被冻结了，请问怎么解冻？",
        "my transfer failed, what can I do?",
        "I'm a bit worried, how do I freeze my card?",
        "太好了，谢谢！",
    ],
)
def test_a_calm_message_about_a_problem_is_not_flagged(judgement_detector, text: str) -> None:
    parsed = parse(judgement_detector, text)
    assert not parsed["judgement"]["upset"]["flag"], parsed["judgement"]
    assert emotion_of(parsed) is None


@pytest.mark.parametrize(
    ("text", "victim"),
    [
        ("我刚把验证码告诉了一个自称银行客服的人，现在怎么办", True),
        ("对方让我把钱转到安全账户，我已经转了五万", True),
        ("I gave my PIN to a man who called saying he was from the bank", True),
        ("怎么识别诈骗短信？", False),
        ("Will the bank ever ask me for my SMS code?", False),
    ],
)
def test_a_fraud_victim_is_flagged_and_a_prevention_question_is_not(
    judgement_detector, text: str, victim: bool
) -> None:
    fraud = parse(judgement_detector, text)["judgement"]["fraud_victim"]
    assert fraud["flag"] is victim, fraud


@pytest.mark.parametrize(
    ("text", "prevention"),
    [
        ("有陌生人打电话问我要验证码，我没给，以后怎么防这种骗局", True),
        ("How can I tell if a text message from the bank is a scam?", True),
        ("对方让我把钱转到安全账户，我已经转了五万", False),  # a victim
        ("I gave my PIN to a man who called saying he was from the bank", False),
        ("跨行转账手续费多少", False),
        ("what are your opening hours", False),
    ],
)
def test_the_prevention_head_flags_questions_about_staying_safe(
    judgement_detector, text: str, prevention: bool
) -> None:
    judged = parse(judgement_detector, text)["judgement"]["fraud_prevention"]
    assert judged["flag"] is prevention, judged
    assert judged["source"] == "model"


def test_a_model_without_the_prevention_head_still_judges(judgement_detector) -> None:
    """A model trained before the head: no prevention reading, the rest unchanged."""
    heads = judgement_detector.model.heads
    kept = heads.pop("fraud_prevention")
    try:
        judged = parse(judgement_detector, "怎么识别诈骗短信？")["judgement"]
    finally:
        heads["fraud_prevention"] = kept
    assert "fraud_prevention" not in judged
    assert judged["fraud_victim"]["source"] == "model"


def test_sealed_numbers_read_as_numbers_not_as_noise(judgement_detector) -> None:
    """Phone numbers and ID digits reach the engine as tokens (common.identifiers)."""
    seal = import_engine_module("common.identifiers")
    key, conversation = "k" * 40, "conv-1"
    sealed_phone = seal.seal_phones(key, conversation, "13800138000")
    sealed_id = seal.seal_id_last4(key, conversation, "1234")
    for text in (sealed_phone, sealed_id, f"my number is {sealed_phone}"):
        judged = parse(judgement_detector, text)["judgement"]
        assert not judged["upset"]["flag"] and not judged["fraud_victim"]["flag"], (text, judged)
        plain = parse(judgement_detector, seal.as_read(text))["judgement"]
        assert judged["fraud_victim"]["score"] == plain["fraud_victim"]["score"]


@pytest.mark.parametrize(
    "text",
    [
        "hello, I would like to check the balance of my savings account, my phone number is "
        "13800000000",
        "我想查一下最近的交易，我的手机号是13800000000，麻烦了",
    ],
)
def test_a_customer_giving_their_own_number_is_no_victim(judgement_detector, text: str) -> None:
    # the victims' "my phone number was changed, not by me" taught the detector
    # that a phone number is a victim's word, until the own-number examples
    assert not parse(judgement_detector, text)["judgement"]["fraud_victim"]["flag"]


def test_digits_alone_tell_no_victims_story(judgement_detector) -> None:
    for text in ("0000", "13800000000", "6222 0000 1111 2222"):
        assert not parse(judgement_detector, text)["judgement"]["fraud_victim"]["flag"], text


def test_thresholds_are_per_language(judgement_detector) -> None:
    thresholds = judgement_detector.config["thresholds"]
    zh = parse(judgement_detector, "卡丢了")["judgement"]
    en = parse(judgement_detector, "lost my card")["judgement"]
    assert zh["upset"]["threshold"] == thresholds["upset"]["zh"]
    assert en["upset"]["threshold"] == thresholds["upset"]["en"]
    assert en["fraud_victim"]["threshold"] == thresholds["fraud_victim"]["en"]


def test_a_threshold_left_out_of_the_config_keeps_its_default(judgement_detector) -> None:
    detector = judgement.JudgementDetector(
        {"thresholds": {"upset": {"en": 0.7}}},
        judgement_detector._model_storage,
        judgement_detector._resource,
        judgement_detector.model,
    )
    assert detector.config["thresholds"]["upset"] == {"zh": 0.5, "en": 0.7}
    assert parse(detector, "你好")["judgement"]["fraud_victim"]["threshold"] == 0.5


def test_a_button_payload_is_not_judged(judgement_detector) -> None:
    parsed = parse(judgement_detector, "/leave_queue")
    assert parsed["judgement"]["upset"]["score"] == 0.0
    assert parsed["judgement"]["fraud_victim"]["flag"] is False


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😡😡😡",
        "🙂",
        "转账" * 2000,
        "why " * 1000,
        "WHERE IS MY MONEY I WANT IT NOW",
        "<script>alert('x')</script><b>hello</b>",
        "<p>我的卡<br>被吞了</p>",
        "！！！？？？!!!???......",
        "?????????????????????????????",
        "APP登不上 login failed 怎么办 😭",
        "Привет, مرحبا, こんにちは, 안녕하세요",
        "\x00\u200b\ufeff",
    ],
)
def test_bad_input_never_breaks_a_parse(judgement_detector, text: str) -> None:
    parsed = parse(judgement_detector, text)
    for name in ("upset", "fraud_victim"):
        verdict = parsed["judgement"][name]
        assert 0.0 <= verdict["score"] <= 1.0 and isinstance(verdict["flag"], bool)
        assert verdict["source"] == "model"


def test_a_long_message_is_judged_like_its_beginning_and_end(judgement_detector) -> None:
    angry = "气死我了，你们这什么破银行！！！"
    long_text = angry + "。" * 3000 + angry
    assert parse(judgement_detector, long_text)["judgement"]["upset"]["flag"]


# --------------------------------------------------------------------------- failure -> rules


def broken(detector):
    """The same component whose upset detector has lost half its coefficients."""
    model = detector.model
    head = model.heads["upset"]
    heads = {
        **model.heads,
        "upset": dataclasses.replace(head, coef=head.coef[: len(head.coef) // 2]),
    }
    return judgement.JudgementDetector(
        detector.config, detector._model_storage, detector._resource,
        dataclasses.replace(model, heads=heads),
    )  # fmt: skip


def test_when_the_model_fails_the_rules_judge_and_the_failure_is_logged(
    judgement_detector, caplog: pytest.LogCaptureFixture
) -> None:
    detector = broken(judgement_detector)
    caplog.set_level(logging.ERROR, logger="bot.judgement")
    angry = parse(detector, "气死我了，转账三天还没到！！！")
    assert "the model failed" in caplog.text
    assert angry["judgement"]["upset"]["source"] == "rules"
    assert angry["judgement"]["upset"]["flag"] and angry["judgement"]["upset"]["kind"] == "anger"
    assert emotion_of(angry) == "anger"
    calm = parse(detector, "你们几点开门？")
    assert not calm["judgement"]["upset"]["flag"] and emotion_of(calm) is None


def test_the_fraud_rule_is_the_report_fraud_intent(judgement_detector) -> None:
    detector = broken(judgement_detector)
    intent = {"name": "report_fraud", "confidence": 0.8}
    fraud = parse(detector, "我被骗了", intent)["judgement"]["fraud_victim"]
    assert fraud == {"score": 0.8, "flag": True, "threshold": None, "source": "rules"}
    other = parse(detector, "我被骗了", {"name": "faq", "confidence": 0.9})["judgement"]
    assert other["fraud_victim"]["flag"] is False


def test_a_model_that_cannot_be_read_serves_with_the_rules(tmp_path: Path, caplog) -> None:
    storage_module = import_engine_module("rasa.engine.storage.local_model_storage")
    resource_module = import_engine_module("rasa.engine.storage.resource")
    graph = import_engine_module("rasa.engine.graph")
    storage = storage_module.LocalModelStorage(tmp_path)
    resource = resource_module.Resource("nothing-trained")
    context = graph.ExecutionContext(graph.GraphSchema({}), "test")
    caplog.set_level(logging.ERROR, logger="bot.judgement")
    detector = judgement.JudgementDetector.load({}, storage, resource, context)
    assert detector.model is None and "rules only" in caplog.text
    parsed = parse(detector, "this is ridiculous, I've been waiting three days!!!")
    assert parsed["judgement"]["upset"]["source"] == "rules"
    assert emotion_of(parsed) == "anger"


# --------------------------------------------------------------------------- training


def test_the_stored_model_scores_as_the_trained_one(judgement_detector, tmp_path: Path) -> None:
    model = judgement_detector.model
    model.save(tmp_path)
    again = judgement.JudgementModel.load(tmp_path)
    analysed = [features.analyse(t) for t in ("垃圾银行", "how do I spot a phishing text?")]
    for name in ("upset", "fraud_victim"):
        first = model.heads[name].probability(analysed)
        second = again.heads[name].probability(analysed)
        assert np.allclose(first, second)
    assert model.kind_of(analysed) == again.kind_of(analysed)


def test_the_model_keeps_out_of_fold_scores_for_every_training_example(judgement_detector) -> None:
    for name, detector in (("upset", "upset"), ("fraud_victim", "fraud")):
        examples = judgement_data.load(ROOT / "data" / "judgement", detector)
        cv = judgement_detector.model.heads[name].cv
        extra = ("nlu:", BORROWED_KIND)  # NLU examples, and the fraud head's borrowed ones
        labelled = [row for row in cv if not str(row["kind"] or "").startswith(extra)]
        assert len(labelled) == len(examples)
        assert {row["language"] for row in labelled} == {"zh", "en"}
        assert len(cv) > len(labelled)  # the NLU examples trained with them
    borrowed = [r for r in judgement_detector.model.heads["fraud_victim"].cv
                if str(r["kind"] or "").startswith(BORROWED_KIND)]  # fmt: skip
    assert borrowed and {r["label"] for r in borrowed} == {"other"}


def test_the_fingerprint_changes_with_the_labelled_sets(tmp_path: Path) -> None:
    folder = tmp_path / "judgement"
    shutil.copytree(ROOT / "data" / "judgement", folder)
    config = {"data_path": str(folder)}
    before = judgement.JudgementDetector.fingerprint_addon(config)
    assert judgement.JudgementDetector.fingerprint_addon(config) == before
    path = folder / "upset_en.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# relabelled\n", encoding="utf-8")
    assert judgement.JudgementDetector.fingerprint_addon(config) != before


def test_without_labelled_sets_training_leaves_the_rules(tmp_path: Path) -> None:
    storage_module = import_engine_module("rasa.engine.storage.local_model_storage")
    resource_module = import_engine_module("rasa.engine.storage.resource")
    graph = import_engine_module("rasa.engine.graph")
    training_data = import_engine_module("rasa.shared.nlu.training_data.training_data")
    storage = storage_module.LocalModelStorage(tmp_path / "storage")
    context = graph.ExecutionContext(graph.GraphSchema({}), "test")
    detector = judgement.JudgementDetector.create(
        {"data_path": str(tmp_path / "empty")}, storage, resource_module.Resource("j"), context
    )
    detector.train(training_data.TrainingData())
    assert detector.model is None
    assert parse(detector, "气死我了！！！")["judgement"]["upset"]["source"] == "rules"


def test_plain_questions_of_calm_intents_are_calm_and_fraud_intents_keep_their_side() -> None:
    nlu = import_engine_module("bot.judgement_nlu")
    plain = [
        ("几点开门", "faq/hours", "zh"),
        ("is a safe account real", "faq/fraud_prevention", "en"),
        ("i got conned", "report_fraud", "en"),
        ("this is useless, human!", "request_human", "en"),
    ]
    out = nlu.nlu_examples(plain, ["faq", "greet"], ["faq/fraud_prevention"], ["report_fraud"])
    assert [(e.text, e.language, e.label) for e in out["upset"]] == [
        ("几点开门", "zh", "calm"),
        ("is a safe account real", "en", "calm"),
    ]
    assert [(e.text, e.label) for e in out["fraud"]] == [
        ("几点开门", "other"),
        ("is a safe account real", "prevention"),
        ("i got conned", "victim"),
    ]
    assert all(e.kind.startswith("nlu:") for e in out["upset"] + out["fraud"])
    assert {e.weight for e in out["upset"] + out["fraud"]} == {1.0}


def test_the_fraud_detector_may_count_plain_questions_more_than_the_upset_detector() -> None:
    nlu = import_engine_module("bot.judgement_nlu")
    plain = [
        ("几点开门", "faq/hours", "zh"),
        ("is a safe account real", "faq/fraud_prevention", "en"),
    ]
    out = nlu.nlu_examples(
        plain, ["faq"], ["faq/fraud_prevention"], ["report_fraud"], 0.1, fraud_weight=0.3
    )
    assert [e.weight for e in out["upset"]] == [0.1, 0.1]
    assert [e.weight for e in out["fraud"]] == [0.3, 0.3]


def test_the_snapshot_of_plain_questions_is_read_back_as_written(tmp_path) -> None:
    nlu = import_engine_module("bot.judgement_nlu")
    source = tmp_path / "nlu"
    source.mkdir()
    (source / "core.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - 你好\n    - hello there\n'
        "- intent: check_balance\n  examples: |\n    - balance of my [savings](account_type)\n",
        encoding="utf-8",
    )
    counts = nlu.write_snapshot(tmp_path, source)
    assert counts == {"zh": 1, "en": 2}
    assert sorted(nlu.read_plain(tmp_path)) == [
        ("balance of my savings", "check_balance", "en"),
        ("hello there", "greet", "en"),
        ("你好", "greet", "zh"),
    ]


class _FitCalled(Exception):
    """Stops a training at the fit, once its inputs are seen."""


def test_training_ignores_the_live_nlu_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A content edit (new NLU examples) must not move the detectors.

    The fit is deterministic (a fixed seed; the memo tests compare a restore
    with a fit), so equal inputs make equal detectors: the fit is stopped and
    its inputs compared, without and with the repository's NLU data.
    """
    storage_module = import_engine_module("rasa.engine.storage.local_model_storage")
    resource_module = import_engine_module("rasa.engine.storage.resource")
    graph = import_engine_module("rasa.engine.graph")
    loading = import_engine_module("rasa.shared.nlu.training_data.loading")
    training_data = import_engine_module("rasa.shared.nlu.training_data.training_data")
    seen: list[tuple[object, object]] = []

    def fit(examples: object, settings: object) -> None:
        seen.append((examples, settings))
        raise _FitCalled

    monkeypatch.setattr(judgement, "train", fit)
    monkeypatch.setattr(judgement.judgement_memo, "has", lambda key: False)
    storage = storage_module.LocalModelStorage(tmp_path)
    context = graph.ExecutionContext(graph.GraphSchema({}), "test")
    config = {
        **judgement.JudgementDetector.get_default_config(),
        "data_path": str(ROOT / "data" / "judgement"),
    }
    nlu = loading.load_data(str(ROOT / "data" / "nlu"))
    assert nlu.intent_examples  # the live data is there to be ignored
    for index, data in enumerate((training_data.TrainingData(), nlu)):
        detector = judgement.JudgementDetector.create(
            config, storage, resource_module.Resource(f"j{index}"), context
        )
        with pytest.raises(_FitCalled):
            detector.train(data)
    (examples, settings), (examples_with_nlu, settings_with_nlu) = seen
    assert settings == settings_with_nlu
    assert examples == examples_with_nlu
    assert all(examples[name] for name in judgement_data.DETECTORS)


def test_the_fraud_heads_share_one_featuriser_stored_once(judgement_detector, tmp_path) -> None:
    """Both fraud heads read the same texts: one vocabulary, learnt, stored and applied once."""
    model = judgement_detector.model
    assert model.heads["fraud_victim"].featuriser is model.heads["fraud_prevention"].featuriser
    assert model.heads["upset"].featuriser is not model.heads["fraud_victim"].featuriser
    model.save(tmp_path)
    again = judgement.JudgementModel.load(tmp_path)
    assert again.heads["fraud_victim"].featuriser is again.heads["fraud_prevention"].featuriser
    analysed = [features.analyse(t) for t in ("他让我把验证码念给他", "how do I spot a scam call?")]
    scores = again.score(analysed)
    for name, head in again.heads.items():
        assert np.allclose(scores.probability[name], head.probability(analysed))
    assert again.kind_of(analysed, scores.upset_vectors) == again.kind_of(analysed)


def test_an_archive_from_before_the_shared_featuriser_still_loads(
    judgement_detector, tmp_path
) -> None:
    """A rollback to a model trained before the fraud heads shared one must not lose them."""
    model = judgement_detector.model
    model.save(tmp_path)
    meta_path = tmp_path / "judgement.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    arrays = dict(np.load(tmp_path / "judgement.npz"))
    for name, head in meta["heads"].items():  # the earlier layout: each head its own
        owner = head["featuriser"]
        head["featuriser"] = meta["featurisers"][owner]
        arrays[f"{name}_idf"] = arrays[f"{owner}_idf"]
    del meta["featurisers"]
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    np.savez_compressed(tmp_path / "judgement.npz", **arrays)
    old = judgement.JudgementModel.load(tmp_path)
    analysed = [features.analyse("有人让我把钱转到安全账户，我转了两万")]
    for name, head in model.heads.items():
        assert np.allclose(old.heads[name].probability(analysed), head.probability(analysed))
