"""统一社会信用代码 checks follow GB 32100-2015, no stricter."""

from stdnum.cn.uscc import calc_check_digit, is_valid

from shenbao.organisations.uscc import check_uscc


def _with_check(body17: str) -> str:
    return body17 + calc_check_digit(body17)


def test_a_valid_code_passes_and_yields_its_division():
    result = check_uscc("12150000460012345Q")
    assert result.is_valid and result.division_code == "150000" and not result.is_government_organ


def test_a_wrong_check_character_is_refused_naming_the_expected_one():
    result = check_uscc("12150000460012345A")
    assert not result.is_valid and "第18位应为“Q”" in result.error


def test_a_code_of_the_wrong_length_is_refused():
    assert "18位" in check_uscc("1215000046001234").error


def test_forbidden_letters_are_refused():
    assert "“I”" in check_uscc("12150000460012345I").error


def test_a_code_whose_leading_characters_are_letters_is_accepted_although_stdnum_refuses_it():
    code = _with_check("Y1150102MA0123456")
    assert not is_valid(code)  # the library's full validate is stricter than the standard
    assert check_uscc(code).is_valid


def test_a_code_marked_11_is_a_government_organ():
    assert check_uscc(_with_check("11150000011111111")).is_government_organ


def test_spaces_and_lower_case_are_tolerated():
    assert check_uscc(" 12150000460012345q ").code == "12150000460012345Q"


def test_our_check_character_equals_stdnums_on_random_codes():
    import random

    from shenbao.organisations.uscc import ALPHABET, check_character

    rng = random.Random(32100)
    bodies = ["".join(rng.choice(ALPHABET) for _ in range(17)) for _ in range(5000)]
    assert all(check_character(body) == calc_check_digit(body) for body in bodies)
