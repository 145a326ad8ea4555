from __future__ import annotations

from bidding import categories


def test_catalogue_covers_works_goods_and_services() -> None:
    kinds = {categories.kind_of(code) for code in categories.CATALOGUE}
    assert kinds == {"A", "B", "C"}
    assert len(categories.CATALOGUE) >= 40


def test_known_codes_have_chinese_and_english_labels() -> None:
    assert categories.is_known("A08")
    assert categories.label("A08") == "A08 施工"
    assert categories.label("C16", "en") == "C16 Property management"


def test_unknown_code_is_not_known_and_labels_as_itself() -> None:
    assert not categories.is_known("Z99")
    assert not categories.is_known("")
    assert categories.label("Z99") == "Z99"
