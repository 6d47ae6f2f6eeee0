"""Russian wording helpers: plural forms, cases and decimal commas."""

import pytest

from results.objectivity.text import (
    about_ru,
    classes_ru,
    decimal_ru,
    of_pupils_ru,
    percent_ru,
    points_ru,
    pupils_ru,
    schools_ru,
    score_range_ru,
)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1 участник"),
        (3, "3 участника"),
        (14, "14 участников"),
        (21, "21 участник"),
        (111, "111 участников"),
        (122, "122 участника"),
    ],
)
def test_pupils_take_the_right_plural(n, text):
    assert pupils_ru(n) == text


def test_after_iz_and_okolo_the_genitive_is_used():
    assert of_pupils_ru(41) == "41 участника"
    assert of_pupils_ru(124) == "124 участников"
    assert of_pupils_ru(11) == "11 участников"


def test_scores_ranges_classes_and_schools():
    assert points_ru(10) == "10 баллов"
    assert points_ru(21) == "21 балл"
    assert score_range_ru(10, 11) == "10–11 баллов"
    assert score_range_ru(21, 22) == "21–22 балла"
    assert score_range_ru(8, 8) == "8 баллов"
    assert classes_ru(4) == "4 класса"
    assert schools_ru(5) == "5 школ"


def test_numbers_are_written_the_russian_way():
    assert percent_ru(0.783) == "78 %"
    assert percent_ru(float("nan")) == "—"
    assert decimal_ru(24.66) == "24,7"
    assert decimal_ru(-0.2) == "−0,2"
    assert about_ru(5.6) == "около 6"
    assert about_ru(0.3) == "меньше 1"
