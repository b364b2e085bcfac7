"""The simulated municipality: districts, institutions and persons, deterministic from a seed.

District-level magnitudes stay realistic at any scale: the scale knob changes
how many small institutions and persons exist, and per-institution volumes are
calibrated so that district totals match population-based rates.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass, field
from functools import cached_property

from stdnum.cn import ric, uscc

from yigongti.reference import District, districts

USCC_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"
BOUNDARY_CHANGE = dt.date(2026, 1, 25)
OLD_LIANGJIANG = ("500105", "500112")
NEW_LIANGJIANG = "500157"
BEIBEI = "500109"
# Census figure for 忠县 + 云阳县 together; 云阳县 reported 91.31万 at 2023 year-end.
POPULATION_FALLBACK = {"500235": 913_100, "500233": 1_650_010 - 913_100}

# Monthly visits of a typical institution of each kind at full scale (relative weights).
BASE_VISITS = {
    "A100-三级": 60_000,
    "A100-二级": 15_000,
    "A210": 20_000,
    "A300": 9_000,
    "A527": 5_000,
    "G100": 8_000,
    "B100": 6_000,
    "B200": 1_200,
    "C210": 5_000,
    "C220": 2_500,
    "D110": 1_500,
    "D120": 1_000,
    "D211": 400,
    "D212": 300,
    "D215": 200,
    "D600": 300,
}
TCM_DEPARTMENT_SHARE = {"A100": 0.05, "B100": 0.12, "C210": 0.13, "C220": 0.12, "D600": 0.15}
DISCHARGE_RATE = {"A": 0.035, "C210": 0.015, "C220": 0.008, "B100": 0.003, "G": 0.02}
SEASON = (1.08, 0.85, 1.02, 1.0, 1.0, 0.97, 1.0, 1.0, 0.98, 0.97, 1.02, 1.1)


def stable_rng(*parts) -> random.Random:
    """A generator seeded by a stable hash (Python's hash() is salted per process)."""
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))


def make_uscc(rng: random.Random, prefix: str, region: str) -> str:
    body = prefix + region + "".join(rng.choice(USCC_BODY) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_resident_id(rng: random.Random, region: str, birth: dt.date) -> str:
    body = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林谭冉秦向田"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华"


def make_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@dataclass
class Institution:
    credit_code: str
    name: str
    home_district: str  # district code when founded (pre-2026 codes for 两江新区)
    ws218_code: str
    kind: str  # key into BASE_VISITS
    grade: str
    registration_type: str
    township_code: str
    community_code: str | None = None
    is_lead: bool = False
    insurance_code: str | None = None
    is_admin_village_clinic: bool = False
    village_code: str | None = None
    active_from: dt.date = dt.date(2000, 1, 1)
    moves_to_beibei: bool = False
    monthly_visits: float = 0.0

    def district_on(self, day: dt.date) -> str:
        if day < BOUNDARY_CHANGE:
            return self.home_district
        if self.moves_to_beibei:
            return BEIBEI
        return NEW_LIANGJIANG if self.home_district in OLD_LIANGJIANG else self.home_district

    @property
    def level(self) -> str:
        if self.ws218_code[0] in "BCD":
            return "primary"
        return "tertiary" if self.grade == "三级" else "secondary"


@dataclass
class DistrictSim:
    district: District
    scale: float
    seed: int
    institutions: list[Institution] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.district.code

    @cached_property
    def population(self) -> int:
        return self.district.census2020_population or POPULATION_FALLBACK[self.code]

    @cached_property
    def rates(self) -> dict[str, float]:
        rng = stable_rng(self.seed, "rates", self.code)
        return {
            "visits_per_resident": rng.uniform(6.0, 7.0),
            "primary_share": rng.uniform(0.55, 0.70),
            "in_district_inpatient": rng.uniform(0.70, 0.88),
            "out_of_province": rng.uniform(0.02, 0.05),
            "ecg_coverage": rng.uniform(0.60, 0.98),
            "income_ratio": rng.uniform(0.65, 0.92),
            "stationed_per_10k": rng.uniform(1.5, 3.5),
            "remote_per_10k_month": rng.uniform(25, 65),
            "managed_share": rng.uniform(0.09, 0.13),
        }

    def count(self, full: float, minimum: int = 1) -> int:
        return max(minimum, round(full * self.scale))

    def build(self) -> DistrictSim:
        d, rng = self.district, stable_rng(self.seed, "institutions", self.code)
        region = d.code
        add = self.institutions.append

        def township(i: int) -> str:
            return f"{region}{i + 1:03d}"

        def new(ws218, kind, grade, reg, prefix, name, t, **kw):
            inst = Institution(
                credit_code=make_uscc(rng, prefix, region),
                name=name,
                home_district=region,
                ws218_code=ws218,
                kind=kind,
                grade=grade,
                registration_type=reg,
                township_code=township(t),
                active_from=dt.date(rng.randrange(1985, 2020), rng.randrange(1, 13), 1),
                **kw,
            )
            add(inst)
            return inst

        big = self.population > 800_000
        tier3 = 1 + big + (self.population > 1_500_000)
        tier2 = 2 + self.population // 600_000
        for i in range(tier3):
            new(
                "A100",
                "A100-三级",
                "三级",
                "11",
                "12",
                f"{d.name_zh}人民医院{'' if i == 0 else i + 1}",
                0,
            )
        for i in range(tier2):
            new("A100", "A100-二级", "二级", "11", "12", f"{d.name_zh}第{i + 2}人民医院", i)
        new("A210", "A210", "三级" if big else "二级", "11", "12", f"{d.name_zh}中医院", 0)
        if big:
            new("A300", "A300", "二级", "11", "12", f"{d.name_zh}中西医结合医院", 1)
        new("A527", "A527", "二级", "17", "52", f"{d.name_zh}康复专科医院", 2)
        new("G100", "G100", "二级", "11", "12", f"{d.name_zh}妇幼保健院", 0)
        hospitals = [i for i in self.institutions if i.ws218_code.startswith("A")]
        # 1-3 medical communities, each led by one of the district's leading hospitals.
        leads = [i for i in hospitals if i.grade == "三级" or i.ws218_code == "A210"][:3]
        communities = [f"YGT{region}{n + 1:02d}" for n in range(len(leads))]
        for lead, community in zip(leads, communities, strict=True):
            lead.is_lead, lead.community_code = True, community

        units = d.streets + d.towns + d.townships or 20
        for t in range(self.count(d.streets or units // 3)):
            new(
                "B100",
                "B100",
                "未定级",
                "11",
                "12",
                f"{d.name_zh}第{t + 1}社区卫生服务中心",
                t,
                community_code=rng.choice(communities),
            )
            for s in range(self.count(1.5, minimum=0) if t < 2 or self.scale >= 0.5 else 0):
                new(
                    "B200",
                    "B200",
                    "未定级",
                    "11",
                    "12",
                    f"{d.name_zh}社区卫生服务站{t + 1}-{s + 1}",
                    t,
                )
        rural = d.towns + d.townships
        # Five of 渝北区's towns join 北碚区 in 2026: the same share of its centres.
        moving = round(5 * self.count(rural) / rural) if region == "500112" else 0
        for t in range(self.count(rural)):
            central = t % 4 == 0
            thc = new(
                "C210" if central else "C220",
                "C210" if central else "C220",
                "一级",
                "11",
                "12",
                f"{d.name_zh}第{t + 1}{'中心' if central else ''}卫生院",
                t,
                community_code=rng.choice(communities),
                moves_to_beibei=t < moving,
            )
            for v in range(self.count(9)):
                new(
                    "D600",
                    "D600",
                    "未定级",
                    "12",
                    "52",
                    f"{thc.name}村卫生室{v + 1}",
                    t,
                    is_admin_village_clinic=rng.random() < 0.92,
                    village_code=f"{thc.township_code}{v + 1:03d}",
                    moves_to_beibei=thc.moves_to_beibei,
                )
        clinics = self.population / 2_500
        for ws218, share in (("D211", 0.6), ("D212", 0.2), ("D215", 0.2)):
            for n in range(self.count(clinics * share)):
                new(ws218, ws218, "未定级", "17", "92", f"{d.name_zh}{ws218}诊所{n + 1}", n % units)
        for ws218 in ("D110", "D120"):
            new(ws218, ws218, "未定级", "17", "52", f"{d.name_zh}{ws218}门诊部", 0)
        for n, inst in enumerate(self.institutions):
            if inst.ws218_code[0] in "ABCG" or rng.random() < 0.7:
                inst.insurance_code = f"H{region}{n + 1:05d}"
        # Clinics keep opening: a few start inside the sample range.
        for inst in rng.sample(self.institutions, k=max(1, len(self.institutions) // 50)):
            if inst.ws218_code[0] == "D":
                inst.active_from = dt.date(2025, rng.randrange(1, 13), 1)
        self._calibrate()
        return self

    def _calibrate(self) -> None:
        """Scale per-institution volumes so district totals follow the district's rates."""
        monthly = self.population * self.rates["visits_per_resident"] / 12
        for is_primary, share in (
            (True, self.rates["primary_share"]),
            (False, 1 - self.rates["primary_share"]),
        ):
            group = [i for i in self.institutions if (i.level == "primary") == is_primary]
            weight = sum(BASE_VISITS[i.kind] for i in group)
            for inst in group:
                inst.monthly_visits = monthly * share * BASE_VISITS[inst.kind] / weight


def build_universe(scale: float, seed: int) -> list[DistrictSim]:
    """Districts as they stood before the 2026 change; institutions carry their moves."""
    return [
        DistrictSim(d, scale, seed).build() for d in districts().values() if d.valid_from is None
    ]


def population_on(sim: DistrictSim, year: int) -> dict[str, int]:
    """Year-end resident population by district code valid at that year-end."""
    growth = 1 + 0.002 * (year - 2020) + stable_rng(sim.seed, "pop", sim.code).uniform(-0.02, 0.02)
    pop = round(sim.population * growth)
    if dt.date(year, 12, 31) < BOUNDARY_CHANGE:
        return {sim.code: pop}
    moved = 60_000 if sim.code == "500112" else 0  # net of the towns swapped with 北碚区
    if sim.code in OLD_LIANGJIANG:
        return {NEW_LIANGJIANG: pop - moved, BEIBEI: moved}
    return {sim.code: pop}
