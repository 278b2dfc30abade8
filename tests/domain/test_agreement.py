"""Cohen's kappa and the confusion matrix, against examples worked by hand."""

from __future__ import annotations

from fractions import Fraction

from returnsdesk.domain.agreement import agreement


def test_kappa_of_the_textbook_yes_no_example() -> None:
    # 50 units: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
    # p_o = 35/50 = 0.7; first says yes 25/50, second 30/50:
    # p_e = 0.5 x 0.6 + 0.5 x 0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    result = agreement(pairs, ("yes", "no"))
    assert result.matrix == ((20, 5), (10, 15))
    assert (result.pairs, result.agreed, result.observed) == (50, 35, Fraction(7, 10))
    assert result.kappa == Fraction(2, 5)


def test_kappa_over_three_grades_with_one_never_given_first() -> None:
    # (B,B) x3, (B,C), (A,A), (A,B): p_o = 4/6; first: A 2, B 4; second: A 1, B 4, C 1
    # p_e = 2/6 x 1/6 + 4/6 x 4/6 + 0 x 1/6 = 18/36 = 1/2; kappa = (2/3 - 1/2) / (1/2) = 1/3
    pairs = [("B", "B")] * 3 + [("B", "C"), ("A", "A"), ("A", "B")]
    result = agreement(pairs, ("A", "B", "C", "D", "F"))
    assert result.kappa == Fraction(1, 3)
    assert result.grades == ("A", "B", "C", "D", "F")
    assert result.matrix[0] == (1, 1, 0, 0, 0) and result.matrix[1] == (0, 3, 1, 0, 0)


def test_no_pairs_or_one_grade_only_have_no_kappa_and_unknown_grades_are_listed() -> None:
    assert agreement([], ("A", "B")).kappa is None
    same = agreement([("A", "A")] * 4, ("A", "B"))
    assert same.kappa is None and same.agreed == 4  # chance agreement is total: undefined
    retired = agreement([("X", "A"), ("A", "A")], ("A",))
    assert retired.grades == ("A", "X") and retired.matrix == ((1, 0), (1, 0))
    # Perfect agreement over two grades, and systematic disagreement
    assert agreement([("A", "A"), ("B", "B")], ("A", "B")).kappa == 1
    assert agreement([("A", "B"), ("B", "A")], ("A", "B")).kappa == -1
