"""Checks of what people type at sign-up: credit codes, phone numbers, emails and return addresses."""

import pytest

from marketplace.accounts.validation import (
    clean_email,
    clean_text,
    credit_code_check_char,
    credit_code_problem,
    email_problem,
    phone_is_valid,
    safe_next_url,
)


def test_real_credit_codes_pass_and_typos_are_caught():
    assert credit_code_problem("91350100M000100Y43") is None
    assert credit_code_problem("91350100M000100Y44") == "check"
    assert credit_code_problem("91350100M000100Y4") == "length"
    assert credit_code_problem("91350100M0001OOY43") == "chars"  # letter O is not in the alphabet


def test_check_character_is_computed_from_the_first_17():
    code = "91360100MA3500000"
    assert credit_code_problem(code + credit_code_check_char(code)) is None


def test_full_width_input_is_normalised():
    assert clean_email(" ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ＣＮ ") == "zhang@example.cn"
    assert clean_text("　南昌大学　") == "南昌大学"
    assert phone_is_valid(clean_text("１３８００１３８０００"))


@pytest.mark.parametrize("phone", ["0791-8696 9999", "+86 138 0013 8000", "13800138000"])
def test_common_phone_formats_pass(phone):
    assert phone_is_valid(phone)


@pytest.mark.parametrize("phone", ["abc", "12", "138<script>"])
def test_junk_phone_numbers_fail(phone):
    assert not phone_is_valid(phone)


def test_email_format():
    assert email_problem("zhang@example.cn") is None
    assert email_problem("张三@例子.中国") is None
    assert email_problem("not-an-email") == "invalid"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "javascript:x",
        "http:/evil.example",
        "",
        None,
        "\t//evil.example",
    ],
)
def test_only_relative_paths_are_followed(target):
    assert safe_next_url(target) is None


def test_relative_paths_are_kept():
    assert safe_next_url("/account/profile?tab=1") == "/account/profile?tab=1"
