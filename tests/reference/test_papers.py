"""Reference checks of the bundled paper: Perkins et al. (2022), BJPsych Bulletin 46.

``ipsstats.datasets.perkins2022`` holds the published counts of the paper's Tables 1 to 3
with its errata corrected, and ``ipsstats reproduce perkins2022`` recomputes every value
printed in Tables 2 and 3. These tests check the counts and the recomputation against the
printed tables; the table (and, where a value is an erratum, the correction) is named beside
each check. The equity functions' own reproductions of Tables 2 and 3 are in
``tests/reference/test_equity.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from ipsstats.datasets import perkins2022
from tests.test_cli import run

# ---- the published counts: Tables 1 to 3 ----------------------------------------------------


# Source: Perkins et al. (2022), Table 1: IPS users by ethnicity and gender per service and
# in total (WWT White printed 114; 144 agrees with the column sums, see the errata).
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


# Source: Perkins et al. (2022), Table 2: the caseload by ethnicity and its "not known" count.
def test_table2_caseload() -> None:
    data = perkins2022()
    cnwl, wwt = data.caseload_ethnicity["CNWL"], data.caseload_ethnicity["WWT"]
    assert (cnwl.n, cnwl.n_missing) == (7013, 1350)
    assert (wwt.n, wwt.n_missing) == (2192, 90)
    np.testing.assert_array_equal(
        data.caseload_ethnicity["total"].counts, cnwl.counts + wwt.counts
    )


# Source: Perkins et al. (2022), Table 3: the people of each service and those of known
# ethnicity (all and six months' support); the six-month counts by ethnicity, not printed,
# are those that reproduce the printed percentages (see the errata).
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


# Source: Perkins et al. (2022), Table 1: percentages by ethnicity and gender, to the
# printed one decimal, and the age line (mean, s.d., youngest, oldest).
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


# ---- the recomputation of Tables 2 and 3: ``ipsstats reproduce perkins2022`` ----------------


# Source: Perkins et al. (2022), Tables 2 and 3: all 106 printed values at their printed
# precision, with the paper's errata (e.g. Table 3 pooled P printed 0.84, the counts give
# 0.833; Table 2 WWT White reach printed 1.6).
def test_reproduce_text_all_matched(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "reproduce", "perkins2022")
    assert (status, err) == (0, "")
    assert "All 106 published values matched at their printed precision" in out
    assert " NO" not in out
    for fragment in (
        "22.05      22.053  yes",
        "34.22      34.224  yes",
        "0.84       0.833  erratum: the counts give 0.833",
        "5.66       5.667  yes (printed truncated)",
        "16.0       16.00  yes (erratum: printed 1.6)",
        "Errata applied",
        "exact test gives P",
    ):
        assert fragment in out


# Source: Perkins et al. (2022), Tables 2 and 3: the printed chi-squared values (Table 2 CNWL
# and WWT; Table 3 CNWL, WWT and total, all people and six months' support).
def test_reproduce_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "reproduce", "perkins2022", "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert data["matched"] is True
    assert data["n_values"] == data["n_matched"] == len(data["values"]) == 106
    assert all(v["matched"] for v in data["values"])
    assert data["errata"] == list(perkins2022().errata)
    chi2 = [v for v in data["values"] if v["quantity"].startswith("chi-squared")]
    assert [v["published"] for v in chi2] == [
        "22.05", "34.22", "2.50", "1.76", "1.46", "5.66", "2.78", "1.43",
    ]  # fmt: skip
