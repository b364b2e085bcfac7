"""Check characters and keyed hashing of identifiers.

Checks use python-stdnum. For resident IDs only the checksum and birth-date
parts are used: ``stdnum.cn.ric.validate`` also rejects an ID whose region code
is younger than the birth date, but the first six digits are where the number
was first issued, so every Chongqing resident born before 1997 would fail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from functools import lru_cache

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

OK, CONVERTED, FORMAT, CHECKSUM, BIRTH_DATE = "ok", "converted", "format", "checksum", "birth_date"
VALID_OUTCOMES = (OK, CONVERTED)


def resident_id_to_18(number: str) -> str:
    """A 15-digit legacy ID gains the century '19' and a check character (GB 11643)."""
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


def check_resident_id(number: str) -> tuple[str, str]:
    """Return (normalised 18-character ID, outcome)."""
    if not (len(number) == 18 and number.isalnum()):  # the common case is already compact
        number = ric.compact(number)
    outcome = OK
    if len(number) == 15 and number.isdigit():
        number, outcome = resident_id_to_18(number), CONVERTED
    if len(number) != 18 or not number[:17].isdigit():
        return number, FORMAT
    if number[-1] != ric.calc_check_digit(number):
        return number, CHECKSUM
    try:  # what ric.get_birth_date checks, without compacting the number again
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return number, BIRTH_DATE
    return number, outcome


@lru_cache(maxsize=65536)  # institution codes repeat on every row of a feed
def check_uscc(code: str) -> tuple[str, str]:
    code = uscc.compact(code)
    try:
        uscc.validate(code)
    except InvalidChecksum:
        return code, CHECKSUM
    except ValidationError:
        return code, FORMAT
    return code, OK


CHECKS = {"resident_id": check_resident_id, "uscc": check_uscc}


class Hasher:
    """Keyed HMAC-SHA256 of personal identifiers; one key links persons across feeds."""

    def __init__(self, key: bytes | str):
        if not key:
            raise ValueError("an empty PII key would make hashes guessable")
        self._key = key.encode() if isinstance(key, str) else key

    def __call__(self, value: str) -> str:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()
