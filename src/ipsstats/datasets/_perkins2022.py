"""Published counts of Perkins et al. (2022), with the paper's errata corrected."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ipsstats.categorical import ContingencyTable, Counts
from ipsstats.results import frozen_mapping

__all__ = ["Perkins2022", "perkins2022"]

ETHNICITY = ("White", "Asian/Asian British", "Black/Black British", "Mixed", "Other")
OUTCOME = ("Job", "No job")
SERVICES = ("CNWL", "WWT", "total")

# Table 1 (WWT White corrected from 114 to 144); last entry: ethnicity missing
_IPS = {"CNWL": (134, 77, 64, 38, 52, 47), "WWT": (144, 114, 63, 21, 7, 18)}
_GENDER = {"CNWL": (207, 205, 0), "WWT": (180, 186, 1)}  # male, female, missing
# Table 2: people using the adult community mental health services; last entry: not known
_CASELOAD = {"CNWL": (2774, 1158, 810, 936, 1335, 1350), "WWT": (900, 805, 259, 61, 167, 90)}
# Table 3: people gaining a job, and people with known ethnicity, by ethnicity
_JOBS_ALL = {"CNWL": (47, 35, 23, 15, 21), "WWT": (46, 37, 18, 5, 1)}
_PEOPLE_ALL = {"CNWL": _IPS["CNWL"][:5], "WWT": _IPS["WWT"][:5]}
_MISSING_ALL = {"CNWL": 47, "WWT": 18}
_JOBS_SIX = {"CNWL": (18, 8, 6, 10, 13), "WWT": (29, 13, 10, 2, 0)}
_PEOPLE_SIX = {"CNWL": (46, 20, 20, 15, 26), "WWT": (63, 33, 22, 9, 1)}  # reconstructed
_MISSING_SIX = {"CNWL": 139 - 127, "WWT": 135 - 128}

ERRATA = (
    (
        "Table 1, WWT White: printed 114; 144 agrees with the column sums, the 278 total, "
        "41.3% and both Table 2 chi-squared values."
    ),
    "Table 2, WWT White reach: printed 1.6%; 144/900 is 16.0%.",
    "Table 2, WWT caseload Mixed: printed 2.3%; 61/2192 is 2.8%.",
    "Table 2, WWT IPS Black/Black British: printed 18.0%; 63/349 is 18.1% (as in Table 1).",
    (
        "Table 3, six-month subset: denominators by ethnicity are not printed; the only "
        "counts that reproduce the printed percentages and chi-squared values are CNWL "
        "46/20/20/15/26, WWT 63/33/22/9/1, total 109/53/42/24/27."
    ),
    "Table 3, pooled 'all' P: printed 0.84; the counts give 0.833.",
    (
        "Table 3, CNWL six-month chi-squared and P: printed 5.66 and 0.22 (truncated); the "
        "counts give 5.667 and 0.2255."
    ),
)

_PUBLISHED: dict[str, Any] = {
    "table1_people": {"CNWL": 412, "WWT": 367, "total": 779},
    "table1_ethnicity_percent": {
        "CNWL": (36.7, 21.1, 17.5, 10.4, 14.2),
        "WWT": (41.3, 32.7, 18.1, 6.0, 2.0),
        "total": (38.9, 26.8, 17.8, 8.3, 8.3),
    },
    "table1_gender_percent": {
        "CNWL": (50.2, 49.8),
        "WWT": (49.2, 50.8),
        "total": (49.7, 50.3),
    },
    "table1_age": {  # years: mean, s.d., youngest, oldest
        "CNWL": (37.73, 12.02, 17, 65),
        "WWT": (34.39, 10.74, 18, 69),
        "total": (36.16, 11.55, 17, 69),
    },
    "table2_chi2": {"CNWL": 22.05, "WWT": 34.22},
    "table2_p": "< 0.01",
    "table2_ips_percent": {
        "CNWL": (36.7, 21.1, 17.5, 10.4, 14.2),
        "WWT": (41.3, 32.7, 18.1, 6.0, 2.0),
    },
    "table2_caseload_percent": {
        "CNWL": (39.6, 16.5, 11.5, 13.3, 19.0),
        "WWT": (41.1, 36.7, 11.8, 2.8, 7.6),
    },
    "table2_not_known_percent": {"CNWL": (11.4, 16.1), "WWT": (4.9, 3.9)},
    "table2_reach_percent": {
        "CNWL": (4.8, 6.6, 7.9, 4.1, 3.9, 3.5),
        "WWT": (16.0, 14.2, 24.3, 34.4, 4.2, 20.0),
    },
    "table3_all_chi2": {"CNWL": 2.50, "WWT": 1.76, "total": 1.46},
    "table3_all_p": {"CNWL": 0.64, "WWT": 0.78, "total": 0.84},
    "table3_all_job_percent": {
        "CNWL": (35.1, 45.5, 35.9, 39.5, 40.4),
        "WWT": (31.9, 32.5, 28.6, 23.8, 14.3),
        "total": (33.5, 37.7, 32.3, 33.9, 37.3),
    },
    "table3_all_overall": {"CNWL": (141, 38.6), "WWT": (107, 30.7), "total": (248, 34.7)},
    "table3_all_people": {"CNWL": (412, 365), "WWT": (367, 349), "total": (779, 714)},
    "table3_six_month_chi2": {"CNWL": 5.66, "WWT": 2.78, "total": 1.43},
    "table3_six_month_p": {"CNWL": 0.22, "WWT": 0.59, "total": 0.84},
    "table3_six_month_job_percent": {
        "CNWL": (39.1, 40.0, 30.0, 66.7, 50.0),
        "WWT": (46.0, 39.4, 45.5, 22.2, 0.0),
        "total": (43.1, 39.6, 38.1, 50.0, 48.1),
    },
    "table3_six_month_overall": {"CNWL": (55, 43.3), "WWT": (54, 42.2), "total": (109, 42.7)},
    "table3_six_month_people": {"CNWL": (139, 127), "WWT": (135, 128), "total": (274, 255)},
}


@attrs.frozen(kw_only=True, eq=False)
class Perkins2022:
    """The published aggregates of Perkins et al. (2022), by service.

    Every mapping is keyed by service: ``"CNWL"``, ``"WWT"`` and ``"total"`` (the two
    services added, which is what the paper's "Total" column is).

    Parameters
    ----------
    ips_ethnicity : Mapping[str, Counts]
        Table 1: ethnicity of the people accessing IPS in 2019; ``n_missing`` holds the
        "Missing (not known/prefer not to say)" line (47, 18, 65).
    ips_gender : Mapping[str, Counts]
        Table 1: gender of the people accessing IPS (levels ``"Male"``, ``"Female"``).
    caseload_ethnicity : Mapping[str, Counts]
        Table 2: ethnicity of the people using the services' adult community mental health
        teams; "Not known/stated" is in ``n_missing``. The ``"total"`` entry is the sum of
        the two services (the paper does not pool them).
    jobs_all : Mapping[str, ContingencyTable]
        Table 3, everyone accessing IPS in 2019: ethnicity (rows) by outcome (columns
        ``"Job"``, ``"No job"``); ``n_missing`` counts people with missing ethnicity.
    jobs_six_month : Mapping[str, ContingencyTable]
        Table 3, people who accessed IPS between 1 January and 30 June 2019 (at least six
        months' opportunity); denominators reconstructed (see Notes).
    published : Mapping[str, object]
        The published statistics and percentages as plain data, e.g.
        ``published["table3_all_chi2"]["CNWL"] == 2.50``. Percentages are tuples in the
        order of `ethnicity` (gender: male, female); erratum values are given corrected.
        Table 1's age line is ``published["table1_age"]``: mean, standard deviation,
        youngest and oldest, in years (only these aggregates were published).
    ethnicity : tuple of str
        The ethnicity levels, in the paper's order.
    errata : tuple of str
        The errata applied, in words.

    Notes
    -----
    The paper's tables contain inconsistencies that were resolved by recomputation from its
    own counts (see `errata`): Table 1 prints the WWT White count as 114, but 144 is the
    value consistent with the column total, the 41.3% and both Table 2 chi-squared values;
    the Table 2 reach percentage for WWT White (printed 1.6) is 144/900 = 16.0 and the WWT
    caseload Mixed share (printed 2.3) is 61/2192 = 2.8. The six-month denominators by
    ethnicity are not printed; the counts used are the only ones consistent with every
    printed percentage and chi-squared value (CNWL 46/20/20/15/26, WWT 63/33/22/9/1).
    The pooled "all" P is printed 0.84 (0.833 by computation) and the CNWL six-month
    chi-squared and P are printed truncated, 5.66 and 0.22 (5.667 and 0.2255).

    References
    ----------
    .. [1] Perkins, R., Patel, R., Willett, A., Chisholm, L. and Rinaldi, M. (2022).
       Individual placement and support: cross-sectional study of equality of access and
       outcome for Black, Asian and minority ethnic communities. BJPsych Bulletin 46,
       Tables 1-3.

    Examples
    --------
    >>> from ipsstats.datasets import perkins2022
    >>> data = perkins2022()
    >>> data.ips_ethnicity["WWT"].counts.tolist(), data.ips_ethnicity["WWT"].n_missing
    ([144, 114, 63, 21, 7], 18)
    >>> data.jobs_six_month["total"].counts[:, 0].tolist()
    [47, 21, 16, 12, 13]
    """

    ips_ethnicity: Mapping[str, Counts] = attrs.field(converter=frozen_mapping)
    ips_gender: Mapping[str, Counts] = attrs.field(converter=frozen_mapping)
    caseload_ethnicity: Mapping[str, Counts] = attrs.field(converter=frozen_mapping)
    jobs_all: Mapping[str, ContingencyTable] = attrs.field(converter=frozen_mapping)
    jobs_six_month: Mapping[str, ContingencyTable] = attrs.field(converter=frozen_mapping)
    published: Mapping[str, Any] = attrs.field(converter=frozen_mapping)
    ethnicity: tuple[str, ...] = ETHNICITY
    errata: tuple[str, ...] = ERRATA


def _ethnicity_counts(values: tuple[int, ...], name: str) -> Counts:
    return Counts.from_counts(values[:5], ETHNICITY, name=name, n_missing=values[5])


def _jobs(jobs: tuple[int, ...], people: tuple[int, ...], n_missing: int) -> ContingencyTable:
    table = [[job, total - job] for job, total in zip(jobs, people, strict=True)]
    return ContingencyTable.from_counts(
        table, rows=ETHNICITY, cols=OUTCOME, row_name="ethnicity", col_name="outcome",
        n_missing=n_missing,
    )  # fmt: skip


def _with_total(per_service: dict[str, Any]) -> dict[str, Any]:
    per_service["total"] = per_service["CNWL"] + per_service["WWT"]
    return per_service


def perkins2022() -> Perkins2022:
    """Load the published counts of Perkins et al. (2022) as labelled tables.

    Returns
    -------
    Perkins2022
        Tables 1-3 of the paper by service (``"CNWL"``, ``"WWT"``, ``"total"``), errata
        corrected, with the published statistics in ``published``.

    See Also
    --------
    Perkins2022 : the fields, the errata and how they were resolved.

    References
    ----------
    .. [1] Perkins, R., Patel, R., Willett, A., Chisholm, L. and Rinaldi, M. (2022).
       Individual placement and support: cross-sectional study of equality of access and
       outcome for Black, Asian and minority ethnic communities. BJPsych Bulletin 46,
       Tables 1-3.

    Examples
    --------
    Access: IPS users against the caseload they are drawn from (Table 2, CNWL):

    >>> from ipsstats import homogeneity
    >>> from ipsstats.datasets import perkins2022
    >>> data = perkins2022()
    >>> res = homogeneity(data.ips_ethnicity["CNWL"], data.caseload_ethnicity["CNWL"])
    >>> print(round(res.statistic, 2), res.n_excluded)
    22.05 1397
    """
    genders = ("Male", "Female")
    return Perkins2022(
        ips_ethnicity=_with_total({k: _ethnicity_counts(v, "ethnicity") for k, v in _IPS.items()}),
        ips_gender=_with_total(
            {
                k: Counts.from_counts(v[:2], genders, name="gender", n_missing=v[2])
                for k, v in _GENDER.items()
            }
        ),
        caseload_ethnicity=_with_total(
            {k: _ethnicity_counts(v, "ethnicity") for k, v in _CASELOAD.items()}
        ),
        jobs_all=_with_total(
            {k: _jobs(_JOBS_ALL[k], _PEOPLE_ALL[k], _MISSING_ALL[k]) for k in _JOBS_ALL}
        ),
        jobs_six_month=_with_total(
            {k: _jobs(_JOBS_SIX[k], _PEOPLE_SIX[k], _MISSING_SIX[k]) for k in _JOBS_SIX}
        ),
        published=_PUBLISHED,
    )
