"""config.yml builds a Rasa graph with our components, and each is registered."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.bot.conftest import import_engine_module

recipe_module = import_engine_module("rasa.engine.recipes.recipe")
import_engine_module("bot.tokenizer")
import_engine_module("bot.language")
import_engine_module("bot.entities")
import_engine_module("bot.classifier")
import_engine_module("bot.judgement")

pytestmark = pytest.mark.engine_env

ROOT = Path(__file__).resolve().parents[2]


def test_config_builds_a_graph() -> None:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    recipe = recipe_module.Recipe.recipe_for_name(config.get("recipe"))
    graph = recipe.graph_config_for_recipe(config, cli_parameters={})
    uses = {node.uses.__name__ for node in graph.predict_schema.nodes.values()}
    assert {
        "BankJiebaTokenizer",
        "LanguageDetector",
        "BankEntityExtractor",
        "JudgementDetector",
    } <= uses
    assert {"LinearIntentClassifier", "FallbackClassifier"} <= uses


def test_language_is_chinese_and_epochs_are_explicit() -> None:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    assert config["language"] == "zh"
    for component in config["pipeline"]:
        if component["name"] in ("DIETClassifier", "ResponseSelector", "TEDPolicy"):
            assert "epochs" in component, f"{component['name']} must set epochs (default 300)"
