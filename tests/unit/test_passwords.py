"""The password policy: long enough, not too long, not a common password; no composition rules."""

import pytest

from marketplace.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    TOO_COMMON,
    TOO_LONG,
    TOO_SHORT,
    common_passwords,
    is_common,
    normalise_password,
    password_problem,
)


@pytest.mark.parametrize(
    "password",
    [
        "123456",
        "12345678",
        "woaini1314",
        "qq123456",
        "a123456",
        "5201314",
        "password",
        "1qaz2wsx",
        "iloveyou",
        "aa123456",
    ],
)
def test_passwords_chinese_users_favour_are_blocked(password):
    assert is_common(password)


def test_block_list_is_large_enough_to_matter():
    assert len(common_passwords()) >= 1000


@pytest.mark.parametrize("password", ["WoAiNi1314", "PASSWORD123", "ＱＱ１２３４５６"])
def test_block_list_ignores_case_and_full_width_forms(password):
    assert password_problem(password) == TOO_COMMON


def test_short_and_long_passwords_are_refused():
    assert password_problem("a" * (MIN_LENGTH - 1)) == TOO_SHORT
    assert password_problem("") == TOO_SHORT
    assert password_problem("长" * (MAX_LENGTH + 1)) == TOO_LONG


@pytest.mark.parametrize(
    "password", ["correct horse battery", "赣江两岸灯火通明", "lowercaseonlyphrase", "x" * MAX_LENGTH]
)
def test_no_composition_rules(password):
    assert password_problem(password) is None


def test_full_width_and_half_width_passwords_are_the_same():
    assert normalise_password("ｃｏｒｒｅｃｔ　ｈｏｒｓｅ") == "correct horse"
