"""Jieba tokenizer for bankbot: normalised token text, no whitespace tokens.

Rasa's ``JiebaTokenizer`` segments the raw text, so ``營業時間`` and
``营业时间`` or ``ＡＰＰ`` and ``APP`` become different features, and it emits
a token for every run of spaces. This subclass segments the normalised text
(:mod:`bot.normalise`, full-width -> half-width, traditional -> simplified,
one character to one character so offsets still point into the original) and
drops whitespace tokens and the pieces of pasted links and HTML markup. A
phone number or ID digest the gateway sealed (:mod:`common.identifiers`) is
one token reading as its plain stand-in: the token's random letters changed
with every conversation, and so did the intent of the same words. The
banking user dictionary (``bot/jieba_dict``) is given with
``dictionary_path`` in ``config.yml`` and packed into the model by the parent
class.
"""

from __future__ import annotations

import glob
import logging
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from bot.normalise import normalise
from common.identifiers import sealed_spans
from common.text import ignored_spans

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class BankJiebaTokenizer(JiebaTokenizer):
    """``JiebaTokenizer`` over normalised text, without whitespace tokens."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Same options as ``JiebaTokenizer``."""
        return JiebaTokenizer.get_default_config()

    @staticmethod
    def _load_custom_dictionary(path: str) -> None:
        """Loads every dictionary file in ``path``.

        And closes it, which ``jieba.load_userdict`` given a file name does not.
        """
        import jieba

        for user_dict in sorted(glob.glob(f"{path}/*")):
            logger.info(f"Loading Jieba User Dictionary at {user_dict}")
            with open(user_dict, "rb") as handle:
                jieba.load_userdict(handle)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokens of the normalised text, with offsets into the original text."""
        import jieba

        text = message.get(attribute)
        tokens = [
            Token(word, start)
            for word, start, _end in jieba.tokenize(normalise(text))
            if word.strip()
        ]
        # the pieces of a pasted link ("login", "www") or of HTML markup
        # ("script") are not the customer's words
        links = ignored_spans(text)
        if links:
            tokens = _outside(tokens, links) or tokens
        sealed = sealed_spans(text)
        if sealed:
            tokens = _outside(tokens, [(s, e) for s, e, _ in sealed])
            tokens += [Token(stand_in, s, e) for s, e, stand_in in sealed]
            tokens.sort(key=lambda t: t.start)
        return self._apply_token_pattern(tokens)


def _outside(tokens: list[Token], spans: list[tuple[int, int]]) -> list[Token]:
    """The tokens that overlap none of the (start, end) spans."""
    return [t for t in tokens if not any(s < t.end and t.start < e for s, e in spans)]
