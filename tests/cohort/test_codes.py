"""NHS ethnic category codes and deprivation deciles, against the published code lists."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsstats import Cohort, InvalidInputError, imd_quintile, nhs_ethnicity
from ipsstats.cohort import (
    IMD_QUINTILES,
    NHS_ETHNIC_CATEGORY,
    NHS_ETHNIC_GROUPS,
    NHS_ETHNIC_NOT_RECORDED,
)

# NHS Data Dictionary, ETHNIC CATEGORY, "National Codes" and "Default Codes" tables, as
# printed there ("<broad group> - <category>"):
# https://www.datadictionary.nhs.uk/data_elements/ethnic_category.html
PUBLISHED = """\
A White - British
B White - Irish
C White - Any other White background
D Mixed - White and Black Caribbean
E Mixed - White and Black African
F Mixed - White and Asian
G Mixed - Any other mixed background
H Asian or Asian British - Indian
J Asian or Asian British - Pakistani
K Asian or Asian British - Bangladeshi
L Asian or Asian British - Any other Asian background
M Black or Black British - Caribbean
N Black or Black British - African
P Black or Black British - Any other Black background
R Other Ethnic Groups - Chinese
S Other Ethnic Groups - Any other ethnic group
Z Not stated
99 Not known
"""


def published() -> dict[str, tuple[str, str]]:
    table = {}
    for line in PUBLISHED.splitlines():
        code, text = line.split(" ", 1)
        broad, _, detailed = text.partition(" - ")
        table[code] = (broad, detailed)
    return table


def test_code_list_matches_the_data_dictionary() -> None:
    table = published()
    national = {c: v for c, v in table.items() if v[1]}
    assert set(NHS_ETHNIC_CATEGORY) == set(national)
    for code, (broad, detailed) in national.items():
        ours = NHS_ETHNIC_CATEGORY[code]
        # the dictionary capitalises "Other Ethnic Groups"; the library writes it as a label
        assert ours[0].lower() == broad.lower()
        assert ours[1] == detailed
    assert dict(NHS_ETHNIC_NOT_RECORDED) == {"Z": "Not stated", "99": "Not known"}
    assert tuple(dict.fromkeys(v[0] for v in NHS_ETHNIC_CATEGORY.values())) == NHS_ETHNIC_GROUPS


@pytest.mark.parametrize("code", sorted(published()))
def test_every_code_exhaustively(code: str) -> None:
    broad = nhs_ethnicity([code])
    detailed = nhs_ethnicity([code], level="detailed")
    if code in NHS_ETHNIC_NOT_RECORDED:
        assert broad.factor.codes.tolist() == detailed.factor.codes.tolist() == [-1]
        assert dict(broad.not_recorded) == {code: 1}
        assert broad.n_missing == 1
        assert broad.n_blank == 0
        return
    expected_broad, expected_detailed = published()[code]
    level = broad.factor.levels[int(broad.factor.codes[0])]
    assert str(level).lower() == expected_broad.lower()
    assert detailed.factor.levels[int(detailed.factor.codes[0])] == expected_detailed
    assert broad.n_missing == 0
    # a local sub-code (second character for local use) belongs to its national code
    assert nhs_ethnicity([code + "1"]).factor.codes.tolist() == broad.factor.codes.tolist()


def test_levels_in_dictionary_order_and_counts() -> None:
    coded = nhs_ethnicity(
        np.array(["A", "N", "Z", " H ", "99", "C", "", None, 99, "A2"], dtype=object),
        name="ethnicity",
    )
    assert coded.factor.levels == NHS_ETHNIC_GROUPS
    assert coded.factor.codes.tolist() == [0, 3, -1, 2, -1, 0, -1, -1, -1, 0]
    assert dict(coded.not_recorded) == {"Z": 1, "99": 2}
    assert (coded.n, coded.n_blank, coded.n_missing, coded.n_unknown) == (10, 2, 5, 0)
    assert coded.factor.name == "ethnicity"
    assert coded.to_dict()["not_recorded"] == {"Z": 1, "99": 2}
    assert "99: 2" in str(coded)
    detailed = nhs_ethnicity(["A", "S"], level="detailed").factor
    assert len(detailed.levels) == 16
    assert detailed.levels[:2] == ("British", "Irish")


def test_unknown_codes_are_reported_not_mapped() -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"`values` must hold NHS ETHNIC CATEGORY codes .*got 'X' at index 1, "
        r"'White' at index 2, 'a' at index 3.*unknown=\"missing\"",
    ) as info:
        nhs_ethnicity(["A", "X", "White", "a", "Z9"])
    assert info.value.positions == (1, 2, 3, 4)
    coded = nhs_ethnicity(["A", "X", "X", "White", "I", "O", "Q"], unknown="missing")
    assert dict(coded.unknown) == {"X": 2, "White": 1, "I": 1, "O": 1, "Q": 1}
    assert coded.factor.codes.tolist() == [0, -1, -1, -1, -1, -1, -1]
    assert coded.n_unknown == 6
    assert "unknown code 'X': 2" in str(coded)


def test_options_are_checked() -> None:
    with pytest.raises(InvalidInputError, match="`level` must be one of 'broad', 'detailed'"):
        nhs_ethnicity(["A"], level="fine")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="`unknown` must be one of 'raise', 'missing'"):
        imd_quintile([1], unknown="drop")  # type: ignore[arg-type]


@given(st.lists(st.integers(1, 10), max_size=30))
def test_imd_quintiles_match_naive(deciles: list[int]) -> None:
    coded = imd_quintile(np.asarray(deciles, dtype=np.int64))
    naive = [(d + 1) // 2 for d in deciles]  # 1-2 -> 1, ..., 9-10 -> 5
    assert [coded.factor.levels[c] for c in coded.factor.codes] == naive
    assert coded.factor.levels == IMD_QUINTILES
    as_text = imd_quintile([str(d) for d in deciles])
    assert as_text.factor.codes.tolist() == coded.factor.codes.tolist()


def test_imd_missing_and_unknown() -> None:
    coded = imd_quintile(np.array([1.0, np.nan, 10.0, 4.0]))
    assert coded.factor.codes.tolist() == [0, -1, 4, 1]
    assert coded.n_blank == 1
    with pytest.raises(
        InvalidInputError,
        match=r"`deciles` must hold deprivation deciles \(whole numbers from 1 to 10\); "
        r"got 0 at index 0, 11 at index 1, 2.5 at index 2",
    ):
        imd_quintile([0, 11, 2.5, "x", True])
    lenient = imd_quintile(["0", "11", "3", "x"], unknown="missing")
    assert dict(lenient.unknown) == {"0": 1, "11": 1, "x": 1}
    assert lenient.factor.codes.tolist() == [-1, -1, 1, -1]


def test_cohort_methods() -> None:
    cohort = Cohort.from_columns(
        {
            "accessed": ["2019-01-01"] * 5,
            "ethnicity": ["A", "N", "Z", "H", "99"],
            "imd": ["1", "2", "9", "", "5"],
        },
        observed_until="2019-12-31",
    )
    grouped = cohort.with_nhs_ethnicity()
    counts = grouped.tally("ethnicity")
    assert counts.levels == NHS_ETHNIC_GROUPS
    assert counts.counts.tolist() == [1, 0, 1, 1, 0]
    assert counts.n_missing == 2
    both = grouped.with_nhs_ethnicity("ethnicity", unknown="missing")  # groups are not codes
    assert both.tally("ethnicity").n_missing == 5
    detailed = cohort.with_nhs_ethnicity(name="ethnic_category", level="detailed")
    assert detailed.attribute_names == ("ethnicity", "imd", "ethnic_category")
    quintiles = cohort.with_imd_quintile("imd")
    assert quintiles["imd_quintile"].codes.tolist() == [0, 0, 4, -1, 2]  # type: ignore[union-attr]
    numeric = Cohort.from_columns(
        {"accessed": ["2019-01-01"] * 2, "imd": [3, 10]},
        observed_until="2019-12-31",
    ).with_imd_quintile("imd", name="q")
    assert numeric["q"].codes.tolist() == [1, 4]  # type: ignore[union-attr]
    with pytest.raises(InvalidInputError, match="`values` must hold NHS ETHNIC CATEGORY"):
        Cohort.from_columns(
            {"accessed": ["2019-01-01"], "ethnicity": ["White"]}, observed_until="2019-12-31"
        ).with_nhs_ethnicity()
    with pytest.raises(InvalidInputError, match="`name` must name an attribute"):
        cohort.with_nhs_ethnicity("race")
