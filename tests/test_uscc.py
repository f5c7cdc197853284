"""Unified social credit codes: the real examples, every kind of refusal, and
properties of the generator (every made code validates; every typo is caught)."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

import lrc.uscc
from lrc.uscc import (
    ALPHABET,
    is_format_valid,
    make_uscc,
    org_check_char,
    uscc_check_char,
    uscc_valid_mask,
    validate_uscc,
)

REAL = ["91350100M000100Y43", "914403001922038216"]

divisions = st.text(alphabet="0123456789", min_size=6, max_size=6)
bodies = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


def _with_org_check(code: str, org_char: str) -> str:
    """``code`` with position 17 replaced and position 18 recomputed (GB 32100 stays right)."""
    first17 = code[:16] + org_char
    return first17 + uscc_check_char(first17)


@pytest.mark.parametrize("code", REAL)
def test_real_examples_are_valid(code: str) -> None:
    assert validate_uscc(code) == code


def test_code_is_stripped_and_upper_cased() -> None:
    assert validate_uscc("  91350100m000100y43\t") == "91350100M000100Y43"


@pytest.mark.parametrize("code", ["", "9135010", "91350100M000100Y431"])
def test_wrong_length(code: str) -> None:
    with pytest.raises(ValueError, match="应为 18 位"):
        validate_uscc(code)


@pytest.mark.parametrize("bad", list("IOSVZ"))
def test_letters_the_standard_leaves_out_are_named(bad: str) -> None:
    code = "91350100M000100Y43"
    with pytest.raises(ValueError, match=f"非法字符 {bad}") as info:
        validate_uscc(code[:9] + bad + code[10:])
    assert "I、O、S、V、Z" in str(info.value)


def test_other_illegal_characters_are_named() -> None:
    with pytest.raises(ValueError, match="非法字符 -、_"):
        validate_uscc("91350100M0_0100-43")


def test_division_must_be_digits() -> None:
    code = "91A50100M000100Y4"
    with pytest.raises(ValueError, match="第 3-8 位"):
        validate_uscc(code + uscc_check_char(code))


def test_wrong_check_character_names_the_expected_one() -> None:
    with pytest.raises(ValueError, match="应为 3"):
        validate_uscc("91350100M000100Y44")


def test_wrong_organisation_check_is_its_own_reason() -> None:
    code = _with_org_check(REAL[0], "5")
    assert stdnum_uscc.is_valid(code)  # GB 32100 alone accepts it
    with pytest.raises(ValueError, match="组织机构代码校验不符.*应为 4"):
        validate_uscc(code)


def test_typo_in_organisation_code_mentions_both_checks() -> None:
    with pytest.raises(ValueError, match="校验码错误.*组织机构代码校验也不符"):
        validate_uscc("91350100M000200Y43")


def test_scientific_notation_is_explained() -> None:
    with pytest.raises(ValueError, match="科学计数法"):
        validate_uscc("9.14403E+17")


def test_organisation_check_examples() -> None:
    assert org_check_char("M000100Y") == "4"
    assert org_check_char("19220382") == "1"
    with pytest.raises(ValueError):
        org_check_char("1922038")


@pytest.mark.parametrize(
    ("division", "body"), [("21010", "00000001"), ("210100", "0000000I"), ("2101O0", "0")]
)
def test_make_uscc_refuses_bad_parts(division: str, body: str) -> None:
    with pytest.raises(ValueError):
        make_uscc(division, body)


def test_uscc_check_char_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        uscc_check_char("91350100M000100Y")


@given(divisions, bodies)
def test_made_codes_always_validate(division: str, body: str) -> None:
    code = make_uscc(division, body)
    assert code.startswith("91" + division + body)
    assert validate_uscc(code) == code
    assert stdnum_uscc.is_valid(code)
    assert uscc_valid_mask([code]).tolist() == [True]


@given(divisions, bodies, st.integers(0, 17), st.sampled_from(ALPHABET + "IOSVZ-a "))
def test_any_single_character_change_is_rejected(division: str, body: str, pos: int, char: str) -> None:
    code = make_uscc(division, body)
    changed = code[:pos] + char + code[pos + 1 :]
    if changed.strip().upper() == code:
        return
    with pytest.raises(ValueError):
        validate_uscc(changed)
    assert uscc_valid_mask([changed.strip().upper()]).tolist() == [False]


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_check_char_agrees_with_python_stdnum(first17: str) -> None:
    assert uscc_check_char(first17) == stdnum_uscc.calc_check_digit(first17)


@given(
    st.lists(st.one_of(st.text(alphabet=ALPHABET + "IOZ", min_size=16, max_size=19), st.text(max_size=20)))
)
def test_vectorised_mask_agrees_with_validate(codes: list[str]) -> None:
    def valid(code: str) -> bool:
        try:
            validate_uscc(code)
        except ValueError:
            return False
        return True

    assert uscc_valid_mask(codes).tolist() == [valid(c) and c == c.strip().upper() for c in codes]


def test_format_validity_ignores_check_characters() -> None:
    assert is_format_valid(_with_org_check(REAL[0], "5"))
    assert is_format_valid("91350100M000100Y44")
    assert not is_format_valid("91350100M000100Y4")


def test_docstring_examples() -> None:
    assert doctest.testmod(lrc.uscc).failed == 0
