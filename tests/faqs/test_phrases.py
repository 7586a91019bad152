"""faqs.phrases: the normal form phrasings are compared in, and the figures answers state."""

from __future__ import annotations

from faqs.phrases import figures, normalise


def test_normalise_and_figures() -> None:
    assert normalise("ＡＴＭ取款 Limit？") == normalise("atm取款limit?")
    assert figures("50,000 CNY, 0.05% at 09:00, 7x24") == {"50000", "0.05%", "09:00", "7", "24"}
    assert figures("５，０００元") == {"5000"}
