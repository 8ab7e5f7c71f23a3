from __future__ import annotations

import attrs
import numpy as np
import pytest

from ipsstats import ContingencyTable, Counts
from ipsstats.datasets import Perkins2022, perkins2022


def test_returns_frozen_labelled_tables() -> None:
    data = perkins2022()
    assert isinstance(data, Perkins2022)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        data.errata = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        data.jobs_all["CNWL"] = data.jobs_all["WWT"]  # type: ignore[index]
    for service in ("CNWL", "WWT", "total"):
        assert isinstance(data.ips_ethnicity[service], Counts)
        assert isinstance(data.jobs_all[service], ContingencyTable)
        assert data.jobs_all[service].row_levels == data.ethnicity
        assert data.jobs_six_month[service].col_levels == ("Job", "No job")
    with pytest.raises(ValueError, match="read-only"):
        data.ips_ethnicity["CNWL"].counts[0] = 1


def test_table1_counts_and_errata() -> None:
    data = perkins2022()
    assert data.ips_ethnicity["WWT"].counts[0] == 144  # printed 114, see errata
    assert any("114" in note for note in data.errata)
    assert [data.ips_ethnicity[s].total for s in ("CNWL", "WWT", "total")] == [412, 367, 779]
    assert [data.ips_ethnicity[s].n for s in ("CNWL", "WWT", "total")] == [365, 349, 714]
    assert data.ips_ethnicity["total"].counts.tolist() == [278, 191, 127, 59, 59]
    gender = data.ips_gender["total"]
    assert gender.counts.tolist() == [387, 391]
    assert gender.n_missing == 1


def test_table2_caseload() -> None:
    data = perkins2022()
    cnwl, wwt = data.caseload_ethnicity["CNWL"], data.caseload_ethnicity["WWT"]
    assert (cnwl.n, cnwl.n_missing) == (7013, 1350)
    assert (wwt.n, wwt.n_missing) == (2192, 90)
    np.testing.assert_array_equal(
        data.caseload_ethnicity["total"].counts, cnwl.counts + wwt.counts
    )


def test_table3_denominators() -> None:
    data = perkins2022()
    for service, (people, known) in data.published["table3_all_people"].items():
        table = data.jobs_all[service]
        assert (table.n + table.n_missing, table.n) == (people, known)
    for service, (people, known) in data.published["table3_six_month_people"].items():
        table = data.jobs_six_month[service]
        assert (table.n + table.n_missing, table.n) == (people, known)
    six = data.jobs_six_month["total"].counts.sum(axis=1)
    assert six.tolist() == [109, 53, 42, 24, 27]  # reconstructed (see errata)
    np.testing.assert_array_equal(
        data.jobs_all["total"].counts.sum(axis=1), data.ips_ethnicity["total"].counts
    )


def test_each_call_is_independent() -> None:
    first, second = perkins2022(), perkins2022()
    assert first is not second
    np.testing.assert_array_equal(first.jobs_all["WWT"].counts, second.jobs_all["WWT"].counts)


def test_table1_percentages_and_age_as_printed() -> None:
    data = perkins2022()
    for service in ("CNWL", "WWT", "total"):
        ethnicity = data.ips_ethnicity[service]
        printed = data.published["table1_ethnicity_percent"][service]
        # the paper prints one decimal, so agreement is to half a unit in that place
        np.testing.assert_allclose(100 * ethnicity.counts / ethnicity.n, printed, atol=0.05)
        gender = data.ips_gender[service]
        printed = data.published["table1_gender_percent"][service]
        np.testing.assert_allclose(100 * gender.counts / gender.n, printed, atol=0.05)
        mean, sd, low, high = data.published["table1_age"][service]
        assert 0 < sd < mean
        assert low < mean < high
    assert data.published["table1_age"]["total"] == (36.16, 11.55, 17, 69)
