"""Check characters and keyed hashing of identifiers.

Checks use python-stdnum. For resident IDs only the checksum and birth-date
parts are used: ``stdnum.cn.ric.validate`` also rejects an ID whose region code
is younger than the birth date, but the first six digits are where the number
was first issued, so every Chongqing resident born before 1997 would fail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
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

# GB 11643 (ISO 7064 MOD 11-2): weights of the first 17 digits, and the check
# character for each remainder of their weighted sum.
_RIC_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
_RIC_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_RIC_SHAPE = re.compile(r"\d{17}[\dX]", re.ASCII)
_RIC_SHAPES = re.compile(r"\d{17}[\dX](?:\x00\d{17}[\dX])*", re.ASCII)
_valid_birth_dates: set[str] = set()


def _birth_date_valid(text: str) -> bool:
    if text in _valid_birth_dates:
        return True
    try:
        dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    _valid_birth_dates.add(text)
    return True


def check_resident_ids(numbers: Sequence[str]) -> tuple[list[str], list[str]]:
    """``check_resident_id`` over many IDs: (normalised IDs, outcomes).

    IDs already in the 18-character form are checked together (numpy: the
    weighted sums of a whole block at once; birth dates once per distinct
    date); any other goes through ``check_resident_id`` alone.
    """
    values, outcomes = list(numbers), [OK] * len(numbers)
    if not values:
        return values, outcomes
    if _RIC_SHAPES.fullmatch("\x00".join(values)):
        shaped: Sequence[int] = range(len(values))
        text = "".join(values)
    else:
        shaped = [i for i, n in enumerate(values) if len(n) == 18 and _RIC_SHAPE.fullmatch(n)]
        text = "".join(values[i] for i in shaped)
    if shaped:
        digits = np.frombuffer(text.encode("ascii"), np.uint8).reshape(-1, 18)
        sums = (digits[:, :17].astype(np.int64) - 48) @ _RIC_WEIGHTS
        for k in np.flatnonzero(_RIC_CHECK[sums % 11] != digits[:, 17]).tolist():
            outcomes[shaped[k]] = CHECKSUM
        births = {values[i][6:14] for i in shaped}
        if not all(map(_birth_date_valid, births)):
            for i in shaped:
                if outcomes[i] == OK and not _birth_date_valid(values[i][6:14]):
                    outcomes[i] = BIRTH_DATE
    if len(shaped) < len(values):
        for i in set(range(len(values))).difference(shaped):
            values[i], outcomes[i] = check_resident_id(values[i])
    return values, outcomes


def check_usccs(codes: Sequence[str]) -> tuple[list[str], list[str]]:
    """``check_uscc`` over many codes (each distinct code is checked once)."""
    checked = list(map(check_uscc, codes))
    return [c for c, _ in checked], [o for _, o in checked]


BATCH_CHECKS = {"resident_id": check_resident_ids, "uscc": check_usccs}


class Hasher:
    """Keyed HMAC-SHA256 of personal identifiers; one key links persons across feeds.

    RFC 2104 with the key's inner and outer pads hashed once: each value then
    costs two copies of a SHA-256 state instead of a new HMAC object.
    """

    def __init__(self, key: bytes | str):
        if not key:
            raise ValueError("an empty PII key would make hashes guessable")
        key = key.encode() if isinstance(key, str) else key
        if len(key) > 64:  # the SHA-256 block size
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def __call__(self, value: str) -> str:
        inner = self._inner.copy()
        inner.update(value.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def many(self, values: Sequence[str | None]) -> list[str | None]:
        """Hashes of ``values``; blanks (None or '') are None."""
        inner_state, outer_state = self._inner, self._outer
        out = []
        append = out.append
        for value in values:
            if not value:
                append(None)
                continue
            inner = inner_state.copy()
            inner.update(value.encode("utf-8"))
            outer = outer_state.copy()
            outer.update(inner.digest())
            append(outer.hexdigest())
        return out
