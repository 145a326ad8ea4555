"""The scoring scheme: its JSON form and every validation rule, with the exact message."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from app.core.errors import ValidationError
from remote_eval.methods.rules import price_weight_range
from remote_eval.scheme import CheckItem, PriceItem, Scheme, ScoredItem, ensure_valid, validate

D = Decimal
GOODS = "B0201"  # 计算机设备: price weight 30–60
SERVICES = "C0201"  # 软件开发服务: 10–30
WORKS = "A0801"  # 房屋建筑施工: the centre's range, 10–60 by default


def plan(
    tech_max: str = "40",
    price_weight: str = "30",
    method: str = "comprehensive",
    **changes: object,
) -> Scheme:
    """A valid goods scheme: 40 + 10 technical, 20 commercial, 30 price = 100."""
    base = Scheme(
        method=method,
        price=PriceItem(weight=D(price_weight)),
        qualification=(CheckItem("Q1", "营业执照", "有效期内的营业执照"),),
        compliance=(CheckItem("K1", "投标有效期", "不少于 90 日"),),
        technical=(
            ScoredItem("T1", "技术方案", D(tech_max), "range", step=D("0.5")),
            ScoredItem("T2", "实施方案", D("10"), "fixed", choices=(D(0), D(5), D(10))),
        ),
        commercial=(
            ScoredItem(
                "C1", "售后服务", D("20"), "fixed", choices=(D(0), D(10), D(20)), objective=True
            ),
        ),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def messages(scheme: Scheme, category: str = GOODS, settings: dict | None = None) -> list:
    return [(e.path, str(e)) for e in validate(scheme, category, settings)]


def test_a_sound_scheme_has_no_errors() -> None:
    assert messages(plan()) == []
    assert messages(plan(price_weight="30", tech_max="40"), SERVICES) == []
    assert messages(plan(), WORKS) == []


def test_fixed_choice_above_the_maximum() -> None:
    # 35 + 5 technical, 20 commercial, 40 price = 100, so only the choice is wrong.
    scheme = plan(
        price_weight="40",
        technical=(
            ScoredItem("T1", "技术方案", D("35"), "range"),
            ScoredItem("T2", "实施方案", D("5"), "fixed", choices=(D(0), D(3), D(8))),
        ),
    )
    assert messages(scheme) == [
        ("technical[1].choices", "技术分第 2 项“实施方案”：固定分值 8 超过该项满分 5 分。")
    ]


def test_fixed_choices_distinct_non_negative_and_present() -> None:
    scheme = plan(
        technical=(
            ScoredItem("T1", "技术方案", D("40"), "range"),
            ScoredItem("T2", "实施方案", D("10"), "fixed", choices=(D(0), D(5), D(5), D(-1))),
        ),
        commercial=(ScoredItem("C1", "售后服务", D("20"), "fixed", choices=()),),
    )
    assert messages(scheme) == [
        ("technical[1].choices", "技术分第 2 项“实施方案”：固定分值 5 重复。"),
        ("technical[1].choices", "技术分第 2 项“实施方案”：固定分值 -1 不能为负数。"),
        ("commercial[0].choices", "商务分第 1 项“售后服务”：固定分值至少应列出一个可选分值。"),
    ]


def test_range_step_and_type_and_maximum() -> None:
    scheme = plan(
        price_weight="45",
        technical=(
            ScoredItem("T1", "技术方案", D("25"), "range", step=D("2")),
            ScoredItem("T2", "实施方案", D("10"), "slider"),
            ScoredItem("T3", "培训方案", D("0"), "range"),
        ),
    )
    assert messages(scheme) == [
        ("technical[0].step", "技术分第 1 项“技术方案”：满分 25 分不是打分步长 2 的整数倍。"),
        (
            "technical[1].type",
            "技术分第 2 项“实施方案”：类型“slider”无效，应为 fixed（固定分值）或 range（酌情打分）。",
        ),
        ("technical[2].maximum", "技术分第 3 项“培训方案”：满分应大于 0 分。"),
    ]


def test_item_ids_unique_across_the_scheme_and_names_required() -> None:
    scheme = plan(
        compliance=(CheckItem("Q1", "投标有效期"), CheckItem("", "")),
        commercial=(ScoredItem("T1", "售后服务", D("20"), "fixed", choices=(D(0), D(10), D(20))),),
    )
    assert messages(scheme) == [
        ("compliance[0].id", "符合性审查第 1 项“投标有效期”：编号“Q1”与资格审查第 1 项重复。"),
        ("compliance[1].id", "符合性审查第 2 项“”：编号不能为空。"),
        ("compliance[1].name", "符合性审查第 2 项“”：名称不能为空。"),
        ("commercial[0].id", "商务分第 1 项“售后服务”：编号“T1”与技术分第 1 项重复。"),
    ]


def test_weights_add_up_to_one_hundred() -> None:
    # 50 + 20 + 25 = 95 (services, so 25 is inside the 10–30 range)
    assert messages(plan(price_weight="25"), SERVICES) == [
        (
            "price.weight",
            "技术分、商务分满分与价格分权重合计应为 100 分，现为 95 分（技术 50 + 商务 20 + 价格 25）。",
        )
    ]


def test_price_weight_range_per_category() -> None:
    # technical 25 + 10, commercial 20, price 45: sums to 100, fine for goods and works
    assert messages(plan(tech_max="25", price_weight="45"), GOODS) == []
    assert messages(plan(tech_max="25", price_weight="45"), SERVICES) == [
        ("price.weight", "服务类项目的价格分权重应在 10–30 分之间，现为 45 分。")
    ]
    # technical 5 + 10, commercial 20, price 65
    assert messages(plan(tech_max="5", price_weight="65"), GOODS) == [
        ("price.weight", "货物类项目的价格分权重应在 30–60 分之间，现为 65 分。")
    ]
    assert messages(plan(tech_max="5", price_weight="65"), WORKS) == [
        ("price.weight", "工程类项目的价格分权重应在 10–60 分之间，现为 65 分。")
    ]


def test_centre_settings_configure_the_works_range() -> None:
    settings = {"price_weight_works": [50, 70]}
    assert price_weight_range(WORKS, settings) == (D(50), D(70))
    assert price_weight_range(GOODS, settings) == (D(30), D(60))
    assert messages(plan(tech_max="5", price_weight="65"), WORKS, settings) == []
    assert messages(plan(), WORKS, settings) == [
        ("price.weight", "工程类项目的价格分权重应在 50–70 分之间，现为 30 分。")
    ]
    assert messages(plan(), WORKS, {"price_weight_works": [70, 50]}) == [
        (
            "centre_settings.price_weight_works",
            "交易中心设置 price_weight_works 应为 [下限, 上限]（0–100 分），现为 [70, 50]。",
        )
    ]


def test_unknown_category() -> None:
    assert messages(plan(), "Z99") == [
        ("category_code", "品目分类代码“Z99”无法识别，不能确定价格分权重范围。")
    ]


def test_no_empty_group() -> None:
    scheme = plan(tech_max="60", commercial=())  # 60 + 10 + 30 = 100
    assert messages(scheme) == [("commercial", "商务分至少应有一项评分因素。")]


def test_lowest_price_methods_take_no_scored_items_and_no_weight() -> None:
    assert messages(plan(method="lowest_price")) == [
        ("technical", "最低评标价法只审查是否合格、不打分，请删除技术分的 2 项评分因素。"),
        ("commercial", "最低评标价法只审查是否合格、不打分，请删除商务分的 1 项评分因素。"),
        ("price.weight", "最低评标价法不计价格分，价格分权重应为 0，现为 30。"),
    ]
    bare = plan(method="reasonable_lowest", price_weight="0", technical=(), commercial=())
    assert messages(bare, WORKS) == []


def test_unknown_method_and_wrong_formula() -> None:
    assert messages(plan(method="lottery")) == [
        (
            "method",
            "评标办法“lottery”不存在，可选：lowest_price（最低评标价法）、comprehensive（综合评分法）、"
            "reasonable_lowest（经评审的合理最低投标价法）、average_base（平均值基准价法）。",
        )
    ]
    wrong = plan(price=PriceItem(weight=D(30), formula="average_base"))
    assert messages(wrong) == [
        ("price.formula", "综合评分法的价格分计算方式应为 low_base，现为“average_base”。")
    ]


def test_average_base_formula_and_deviation_rates() -> None:
    price = PriceItem(weight=D(30), formula="average_base", deviation_below=D(0))
    assert messages(plan(method="average_base", price=price)) == [
        ("price.deviation_below", "偏离基准价每 1% 的扣分应大于 0，现为 0。")
    ]
    assert messages(plan(method="average_base")) == [
        ("price.formula", "平均值基准价法的价格分计算方式应为 average_base，现为“low_base”。")
    ]


def test_abnormal_and_dispersion_shares() -> None:
    price = PriceItem(weight=D(30), abnormal_share=D(1), dispersion_share=D(0))
    assert messages(plan(price=price)) == [
        ("price.abnormal_share", "异常低价比例应大于 0 且小于 1，现为 1。"),
        ("price.dispersion_share", "评分偏离提示比例应大于 0 且不超过 1，现为 0。"),
    ]


def test_ensure_valid_raises_one_validation_error_with_every_message() -> None:
    good = plan()
    assert ensure_valid(good, GOODS) is good
    with pytest.raises(ValidationError) as caught:
        ensure_valid(plan(tech_max="5", price_weight="65", commercial=()), GOODS)
    error = caught.value
    assert error.field == "commercial"
    assert str(error.message).split("\n") == [
        "商务分至少应有一项评分因素。",
        "技术分、商务分满分与价格分权重合计应为 100 分，现为 80 分（技术 15 + 商务 0 + 价格 65）。",
        "货物类项目的价格分权重应在 30–60 分之间，现为 65 分。",
    ]
    assert error.details["commercial"] == "商务分至少应有一项评分因素。"
    assert error.details["price.weight"].startswith("技术分、商务分满分与价格分权重合计")
    assert error.details["price.weight"].endswith("现为 65 分。")


EXPECTED_JSON = {
    "version": 1,
    "method": "comprehensive",
    "qualification": [{"id": "Q1", "name": "营业执照", "description": "有效期内的营业执照"}],
    "compliance": [{"id": "K1", "name": "投标有效期", "description": "不少于 90 日"}],
    "technical": [
        {
            "id": "T1",
            "name": "技术方案",
            "description": "",
            "type": "range",
            "maximum": "40",
            "choices": [],
            "step": "0.5",
            "objective": False,
        },
        {
            "id": "T2",
            "name": "实施方案",
            "description": "",
            "type": "fixed",
            "maximum": "10",
            "choices": ["0", "5", "10"],
            "step": "0.5",
            "objective": False,
        },
    ],
    "commercial": [
        {
            "id": "C1",
            "name": "售后服务",
            "description": "",
            "type": "fixed",
            "maximum": "20",
            "choices": ["0", "10", "20"],
            "step": "0.5",
            "objective": True,
        }
    ],
    "price": {
        "weight": "30",
        "formula": "low_base",
        "abnormal_share": "0.5",
        "dispersion_share": "0.2",
        "deviation_above": "1",
        "deviation_below": "0.5",
    },
}


def test_json_round_trip_with_stable_key_order() -> None:
    data = plan().to_dict()
    assert data == EXPECTED_JSON
    assert list(data) == [
        "version",
        "method",
        "qualification",
        "compliance",
        "technical",
        "commercial",
        "price",
    ]
    assert list(data["technical"][0]) == list(EXPECTED_JSON["technical"][0])  # type: ignore[index]
    assert Scheme.from_dict(data) == plan()
    text = json.dumps(data, ensure_ascii=False)
    assert json.dumps(Scheme.from_dict(json.loads(text)).to_dict(), ensure_ascii=False) == text


def test_from_dict_takes_json_numbers_and_defaults() -> None:
    scheme = Scheme.from_dict(
        {
            "method": "comprehensive",
            "technical": [{"id": "T1", "name": "技术方案", "maximum": 70, "step": 0.5}],
            "commercial": [{"id": "C1", "name": "业绩", "maximum": 0.1, "type": "range"}],
            "price": {"weight": 30},
        }
    )
    assert scheme.technical[0].maximum == D("70") and scheme.technical[0].step == D("0.5")
    assert scheme.commercial[0].maximum == D("0.1")  # not 0.1000000000000000055…
    assert scheme.price == PriceItem(weight=D(30))
    assert scheme.qualification == ()


def test_from_dict_names_the_malformed_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Scheme.from_dict({"method": "comprehensive", "technical": [{"maximum": "ten"}]})
    assert caught.value.field == "technical[0].maximum"
    assert str(caught.value.message) == "technical[0].maximum 应为数字。"
    with pytest.raises(ValidationError) as caught:
        Scheme.from_dict({"method": "comprehensive", "compliance": "all"})
    assert caught.value.field == "compliance"
