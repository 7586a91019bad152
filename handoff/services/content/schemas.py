"""Request bodies of the content API (responses are the services' plain dicts)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from handoff.schemas.bounds import MAX_COUNT


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LangText(_Strict):
    """A text in Chinese and in English."""

    zh: str = Field("", max_length=4000)
    en: str = Field("", max_length=4000)


class LangList(_Strict):
    """Phrasings in Chinese and in English."""

    # A list, or text with one phrasing per line (what a textarea sends).
    zh: list[str] | str = Field(default_factory=list)
    en: list[str] | str = Field(default_factory=list)


class FaqIn(_Strict):
    """A FAQ as the editor submits it (the id only when adding)."""

    id: str | None = Field(None, max_length=64)
    category: str = Field(max_length=40)
    question: LangText
    answer: LangText
    examples: LangList
    test: LangList = Field(default_factory=LangList)
    # Unanswered messages (ids from the Unanswered page) this change takes up.
    unanswered: list[int] = Field(default_factory=list, max_length=2000)

    def raw(self) -> dict[str, object]:
        """The content fields (everything but the id and the unanswered messages)."""
        return self.model_dump(exclude={"id", "unanswered"})


class NoteIn(_Strict):
    """A reviewer's note."""

    note: str = Field("", max_length=500)


class TrainIn(_Strict):
    """Whether to deploy automatically when the gate passes."""

    auto_deploy: bool = True


class ExportIn(_Strict):
    """Which FAQs to write to the repository (all when null)."""

    faq_ids: list[str] | None = Field(None, max_length=1000)


class UploadIn(_Strict):
    """A spreadsheet about to be uploaded in parts."""

    filename: str = Field(min_length=1, max_length=200)
    size: int = Field(ge=0, le=MAX_COUNT)


class TryIn(_Strict):
    """A question to try on the live and the candidate model."""

    text: str = Field(min_length=1, max_length=500)
