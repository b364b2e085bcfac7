import pytest
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from yigongti.identifiers import Hasher, check_resident_id, check_uscc, resident_id_to_18


def _id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def test_pre_1997_chongqing_resident_is_valid_although_stdnum_validate_rejects_it():
    # 500113 (巴南区) is a 1997 code; a resident born 1960 still carries it.
    number = _id("50011319600101123")
    with pytest.raises(ValidationError):
        ric.validate(number)
    assert check_resident_id(number) == (number, "ok")


def test_bad_check_character_and_birth_date_are_reported():
    good = _id("50011319850315002")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert check_resident_id(wrong)[1] == "checksum"
    assert check_resident_id(_id("50011319851345002"))[1] == "birth_date"  # month 13
    assert check_resident_id("5001131985")[1] == "format"


def test_fifteen_digit_id_is_converted_with_century_and_check_character():
    legacy = "500113850315002"  # 15 digits: YYMMDD birth date, no check character
    converted = resident_id_to_18(legacy)
    assert converted[:17] == "50011319850315002"
    assert check_resident_id(legacy) == (converted, "converted")


def test_credit_code_check_character():
    from tests.feedfiles import credit_code

    code = credit_code("500101", 7)
    assert check_uscc(code) == (code, "ok")
    assert check_uscc(code[:-1] + ("0" if code[-1] != "0" else "1"))[1] == "checksum"
    assert check_uscc("12500101ABC")[1] == "format"


def test_hash_is_keyed_and_stable():
    a, b = Hasher("k1"), Hasher("k2")
    assert a("x") == a("x")
    assert a("x") != b("x")
    assert len(a("x")) == 64 and "x" not in a("x")


def test_block_check_agrees_with_the_one_at_a_time_check():
    """The numpy path of check_resident_ids decides exactly as check_resident_id
    (python-stdnum's check character) on good, wrong, malformed and legacy IDs."""
    import random

    from yigongti.identifiers import check_resident_ids

    rng = random.Random(7)
    numbers = []
    for _ in range(3000):
        body = f"5001{rng.randrange(100):02d}{rng.randrange(1900, 2030)}"
        body += f"{rng.randrange(1, 14):02d}{rng.randrange(1, 33):02d}{rng.randrange(1000):03d}"
        good = body + ric.calc_check_digit(body + "0")
        kind = rng.randrange(6)
        if kind == 0:  # a wrong check character
            good = good[:-1] + ("0" if good[-1] != "0" else "1")
        elif kind == 1:  # lower-case x, spaces, a 15-digit legacy number, too short
            good = rng.choice([good[:-1] + "x", f" {good} ", good[:6] + good[8:17], good[:10]])
        numbers.append(good)
    values, outcomes = check_resident_ids(numbers)
    assert list(zip(values, outcomes, strict=True)) == [check_resident_id(n) for n in numbers]
    assert {"ok", "checksum", "birth_date", "format", "converted"} <= set(outcomes)


@pytest.mark.parametrize("key", ["k", "k" * 64, "k" * 65, "长密钥" * 40])
def test_hash_is_hmac_sha256(key):
    import hashlib
    import hmac

    hasher = Hasher(key)
    for value in ["500101198001010011", "x", "居民"]:
        assert hasher(value) == hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()
    assert hasher.many(["a", "", None, "b"]) == [hasher("a"), None, None, hasher("b")]
