"""身份证号: check digit and birth date decide validity; the address code never does."""

import datetime as dt

from shenbao.accounts.id_number import check_digit, check_id_number


def _with_check(body17: str) -> str:
    return body17 + check_digit(body17)


def test_a_valid_number_yields_birth_date_and_sex():
    result = check_id_number("150105199007160025")
    assert result.is_valid and result.birth_date == dt.date(1990, 7, 16) and result.sex == "female"


def test_the_17th_digit_odd_means_male():
    assert check_id_number(_with_check("15010519900716001")).sex == "male"


def test_a_wrong_check_digit_is_refused_naming_the_expected_one():
    result = check_id_number("150105199007160026")
    assert not result.is_valid and "第18位应为“5”" in result.error


def test_an_impossible_birth_date_is_refused():
    assert "不是有效日期" in check_id_number(_with_check("15010519900230002")).error


def test_a_birth_date_in_the_future_is_refused():
    result = check_id_number(_with_check("15010520300101002"), today=dt.date(2026, 1, 1))
    assert "不合理" in result.error


def test_an_abolished_address_code_does_not_make_a_number_invalid():
    number = _with_check("15212119650924001")  # 152121: an old 呼伦贝尔盟 county code, long abolished
    assert check_id_number(number).is_valid


def test_a_lower_case_x_check_character_is_accepted():
    body = next(b for b in (f"15010519800101{n:03d}" for n in range(1000)) if check_digit(b) == "X")
    assert check_id_number(body + "x").is_valid


def _gb11643(body17: str) -> str:
    """The standard's own computation, independent of any library."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights, strict=True)) % 11]


def test_the_check_digit_is_the_one_gb_11643_defines():
    bodies = [f"{n:017d}" for n in range(10**16, 10**17, 449_999_999_999_999)]
    bodies.append("31010419820504001")
    assert all(check_digit(body) == _gb11643(body) for body in bodies)
