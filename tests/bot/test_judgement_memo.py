"""bot/judgement_memo.py: detectors trained on the same data are restored, not refitted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.bot.conftest import _configured_judgement, import_engine_module

memo = import_engine_module("bot.judgement_memo")
judgement = import_engine_module("bot.judgement")
storage_module = import_engine_module("rasa.engine.storage.local_model_storage")
Resource = import_engine_module("rasa.engine.storage.resource").Resource
graph = import_engine_module("rasa.engine.graph")
TrainingData = import_engine_module("rasa.shared.nlu.training_data.training_data").TrainingData
Message = import_engine_module("rasa.shared.nlu.training_data.message").Message
CACHE_ENV = "RASA_CACHE_DIRECTORY"


def test_the_memo_lives_where_rasa_keeps_its_cache() -> None:
    caching = import_engine_module("rasa.engine.caching")
    assert memo.CACHE_LOCATION_ENV == caching.CACHE_LOCATION_ENV
    assert memo.DEFAULT_CACHE_LOCATION == caching.DEFAULT_CACHE_LOCATION

pytestmark = pytest.mark.engine_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Rasa cache folder for this test."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def model_dir(tmp_path: Path, name: str, size: int = 3) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "arrays.npz").write_bytes(name.encode() * size)
    return folder


def test_a_kept_model_is_restored_byte_for_byte(cache: Path, tmp_path: Path) -> None:
    key = memo.memo_key({"C": 30.0}, "data-a")
    memo.keep(key, model_dir(tmp_path, "trained"))
    target = tmp_path / "restored"
    assert memo.restore(key, target)
    assert (target / "arrays.npz").read_bytes() == b"trained" * 3
    assert memo.memo_dir() == cache / memo.FOLDER


def test_nothing_is_restored_for_other_data_or_settings(cache: Path, tmp_path: Path) -> None:
    key = memo.memo_key({"C": 30.0}, "data-a")
    memo.keep(key, model_dir(tmp_path, "trained"))
    for other in (memo.memo_key({"C": 10.0}, "data-a"), memo.memo_key({"C": 30.0}, "data-b")):
        assert other != key
        assert not memo.restore(other, tmp_path / f"restored-{other}")


def test_only_the_newest_models_are_kept(cache: Path, tmp_path: Path) -> None:
    keys = [memo.memo_key({"n": n}, "data") for n in range(memo.KEEP + 2)]
    for n, key in enumerate(keys):
        memo.keep(key, model_dir(tmp_path, f"model-{n}"))
        os.utime(memo.memo_dir() / key, (1_000_000 + n, 1_000_000 + n))
    kept = sorted(p.name for p in memo.memo_dir().iterdir())
    assert kept == sorted(keys[-memo.KEEP :])


def test_keeping_the_same_model_twice_keeps_one(cache: Path, tmp_path: Path) -> None:
    key = memo.memo_key({}, "data")
    memo.keep(key, model_dir(tmp_path, "first"))
    memo.keep(key, model_dir(tmp_path, "second"))
    assert [p.name for p in memo.memo_dir().iterdir()] == [key]
    assert memo.restore(key, tmp_path / "restored")
    assert (tmp_path / "restored" / "arrays.npz").read_bytes() == b"first" * 3


def test_a_retrain_on_the_same_data_restores_without_fitting(
    judgement_detector, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a content retrain does: the same detectors, no minute of fitting."""
    config = _configured_judgement(ROOT)
    key = memo.memo_key(config, judgement.JudgementDetector.fingerprint_addon(config))
    with judgement_detector._model_storage.read_from(judgement_detector._resource) as trained:
        memo.keep(key, trained)

    def no_fitting(*args, **kwargs):
        raise AssertionError("the detectors were fitted again")

    monkeypatch.setattr(judgement, "train", no_fitting)
    (tmp_path / "storage").mkdir()
    storage = storage_module.LocalModelStorage(tmp_path / "storage")
    resource = Resource("judgement-again")
    context = graph.ExecutionContext(graph.GraphSchema({}), "test")
    judgement.JudgementDetector.create(config, storage, resource, context).train(TrainingData())
    again = judgement.JudgementDetector.load(config, storage, resource, context)
    for text in ("this is beyond frustrating", "我把验证码告诉了自称客服的人", "几点开门"):
        first, second = Message(data={"text": text}), Message(data={"text": text})
        judgement_detector.process([first])
        again.process([second])
        assert second.get("judgement") == first.get("judgement")
    assert again.model is not None
