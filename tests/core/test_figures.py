"""How each kind of figure is written (iso20k_core/figures.py), as its docstrings promise."""

from iso20k_core import figures as fig


def test_scores_levels_and_percentages_keep_one_decimal() -> None:
    assert (fig.score(10.9), fig.score(100), fig.score(0)) == ("10.9", "100.0", "0.0")
    assert fig.percent(34.6) == "34.6 %"
    assert (fig.level(2.5), fig.level(3)) == ("2.5", "3.0")


def test_counts_and_money_are_whole_with_thousands_separated() -> None:
    assert (fig.count(1234), fig.count(7)) == ("1,234", "7")
    assert fig.money(128_000, "EUR") == "128,000 EUR"
    assert fig.money(0, "CNY") == "0 CNY"
    assert fig.money(1_234_567, "GBP") == "1,234,567 GBP"


def test_numbers_people_entered_keep_their_decimals_up_to_two() -> None:
    assert [fig.number(v) for v in (1400, 2.0, 2.5, 1250.75, 0.25, 0)] == [
        "1,400",
        "2",
        "2.5",
        "1,250.75",
        "0.25",
        "0",
    ]
    # a tiny value keeps its first digits instead of reading 0
    assert [fig.number(v) for v in (1e-05, 0.004, -0.001)] == ["1e-05", "0.004", "-0.001"]
