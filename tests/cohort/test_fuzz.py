"""Fuzz the cohort wing's public functions: whatever the input, only ipsstats errors escape.

Each argument of each builder, selection and summary receives values no argument should
accept (NaN, infinities, huge integers, complex numbers, booleans, objects, ragged lists,
empty and 2-D arrays, text, bytes, mappings, far-off dates). A call may succeed (some of
these are valid for some arguments) or raise an :class:`~ipsstats.IpsStatsError`; any
other exception (a numpy ``ValueError``, a ``TypeError``) or warning is a bug.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings

from ipsstats import Cohort, IpsStatsError, age_band, equity_report, followup_cutoff
from tests.strategies import junk_values

END = "2019-12-31"


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    return Cohort.from_columns(
        {
            "accessed": ["2019-01-01", "2019-06-01", "2019-03-01", "2019-02-01"],
            "job_start": ["2019-02-01", None, None, "2019-05-01"],
            "age": [30, 40, 50, 60],
            "g": ["a", "b", "a", "b"],
        },
        observed_until=END,
    )


def one(**options: Any) -> Cohort:
    return Cohort.from_columns({"accessed": ["2019-01-01"]}, observed_until=END, **options)


def calls(c: Cohort, x: Any) -> list[Callable[[], object]]:
    return [
        lambda: Cohort.from_columns({"accessed": x}, observed_until=END),
        lambda: Cohort.from_columns({"accessed": ["2019-01-01"], "job_start": x}, **EXCLUDE),
        lambda: Cohort.from_columns({"accessed": ["2019-01-01"], "id": x}, **EXCLUDE),
        lambda: Cohort.from_columns({"accessed": ["2019-01-01"], "age": x}, **EXCLUDE),
        lambda: Cohort.from_columns({"accessed": ["2019-01-01"], "g": x}, **EXCLUDE),
        lambda: Cohort.from_columns(x, observed_until=END),
        lambda: Cohort.from_columns({"accessed": ["2019-01-01"]}, observed_until=x),
        lambda: one(age_range=x),
        lambda: one(earliest_date=x),
        lambda: one(attributes=x),
        lambda: one(columns=x),
        lambda: one(missing_labels=x),
        lambda: one(numeric=x),
        lambda: one(date_format=x),
        lambda: one(errors=x),
        lambda: Cohort.from_records(x, observed_until=END),
        lambda: Cohort.from_records([{"accessed": x}], **EXCLUDE),
        lambda: Cohort.from_csv(
            io.StringIO("accessed\n2019-01-01\n"), observed_until=END, delimiter=x
        ),
        lambda: Cohort.from_csv(
            io.StringIO("accessed\n2019-01-01\n"), observed_until=END, encoding=x
        ),
        lambda: c.with_minimum_followup(x),
        lambda: c.with_minimum_followup(1, study_end=x),
        lambda: c.followup_sensitivity(x),
        lambda: c.accessed_between(x, END),
        lambda: c.accessed_between("2019-01-01", x),
        lambda: c.with_study_end(x),
        lambda: c.where("g", x),
        lambda: c.where(x, ["a"]),
        lambda: c.with_attribute("h", x),
        lambda: c.with_attribute(x, [1, 2, 3, 4]),
        lambda: c.with_age_band(x),
        lambda: c.with_age_band(source=x),
        lambda: age_band(x),
        lambda: age_band([20, 30], x),
        lambda: c.tally(x),
        lambda: c.crosstab(x),
        lambda: c.crosstab("g", strata=x),
        lambda: c.take(x, record=None),  # type: ignore[arg-type]
        lambda: c[x],
        lambda: followup_cutoff(x, END),
        lambda: followup_cutoff(6, x),
    ]


EXCLUDE: dict[str, Any] = {"observed_until": END, "errors": "exclude"}


@settings(max_examples=60)
@given(junk_values())
def test_only_house_errors_escape(cohort: Cohort, value: object) -> None:
    for call in calls(cohort, value):
        with contextlib.suppress(IpsStatsError):
            call()


@settings(max_examples=15)
@given(junk_values())
def test_equity_report_study_end(cohort: Cohort, value: object) -> None:
    with contextlib.suppress(IpsStatsError):
        equity_report(cohort, study_end=value)
