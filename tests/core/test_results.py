from __future__ import annotations

import datetime as dt
import json
import math

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsstats import Estimate, TestResult
from ipsstats.results import json_safe


def _estimate(**overrides: object) -> Estimate:
    fields: dict[str, object] = {
        "value": 0.5,
        "lower": 0.4,
        "upper": 0.6,
        "confidence_level": 0.95,
        "method": "wilson",
    }
    fields.update(overrides)
    return Estimate(**fields)  # type: ignore[arg-type]


def test_estimate_str_and_repr() -> None:
    est = _estimate()
    assert str(est) == "0.5 (95% CI 0.4 to 0.6; wilson)"
    assert repr(est).startswith("Estimate(value=0.5, lower=0.4, upper=0.6")


def test_estimate_not_reached_is_explicit() -> None:
    est = _estimate(upper=None, note="upper limit not reached")
    assert est.upper is None
    assert "not reached" in str(est)
    assert est.to_dict()["upper"] is None
    assert est.to_dict()["note"] == "upper limit not reached"


def test_estimate_nan_becomes_none() -> None:
    est = _estimate(value=math.nan)
    assert est.value is None


def test_estimate_without_interval() -> None:
    est = Estimate(value=2.0, lower=None, upper=None, confidence_level=None, method="mle")
    assert str(est) == "2 (mle)"


def test_results_are_frozen() -> None:
    est = _estimate()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        est.value = 3.0  # type: ignore[misc]
    res = TestResult(statistic=1.0, pvalue=0.5, dof=1, method="pearson", n=10)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        res.pvalue = 0.1  # type: ignore[misc]
    with pytest.raises(TypeError):
        res.details["x"] = 1  # type: ignore[index]


def test_test_result_str_mentions_exclusions_and_caveats() -> None:
    res = TestResult(
        statistic=22.051,
        pvalue=0.000196,
        dof=4,
        method="pearson",
        n=365,
        n_excluded=47,
        exclusions={"missing ethnicity": 47},
        caveats=("2 expected counts below 5",),
    )
    text = str(res)
    assert "statistic = 22.05" in text
    assert "p-value = 0.000196" in text
    assert "47 excluded" in text
    assert "caveat: 2 expected counts below 5" in text


def test_test_result_to_dict_is_json_safe() -> None:
    res = TestResult(
        statistic=math.inf,
        pvalue=0.0,
        dof=None,
        method="exact",
        n=np.int64(5),
        details={"seed": np.int64(3), "table": np.arange(4).reshape(2, 2)},
    )
    out = res.to_dict()
    assert out["statistic"] is None
    assert out["details"] == {"seed": 3, "table": [[0, 1], [2, 3]]}
    json.loads(json.dumps(out, allow_nan=False))


def test_test_result_subclass_to_dict_includes_new_fields() -> None:
    @attrs.frozen(kw_only=True)
    class Special(TestResult):
        extra: float

    res = Special(statistic=1.0, pvalue=0.3, dof=2, method="x", n=3, extra=2.5)
    assert res.to_dict()["extra"] == 2.5
    assert Special.__test__ is False


def test_json_safe_conversions() -> None:
    assert json_safe(np.bool_(1)) is True
    assert json_safe(dt.date(2019, 6, 30)) == "2019-06-30"
    assert json_safe(np.datetime64("2019-07-01")) == "2019-07-01"
    assert json_safe(np.array(["2019-01-01"], dtype="datetime64[D]")) == ["2019-01-01"]
    assert json_safe((1, float("-inf"))) == [1, None]
    assert json_safe(_estimate())["method"] == "wilson"
    assert json_safe(complex(1, 2)) == "(1+2j)"


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_json_safe_floats_always_serialise(x: float) -> None:
    out = json_safe({"x": x, "arr": np.array([x, 1.0])})
    text = json.dumps(out, allow_nan=False)
    back = json.loads(text)
    if math.isfinite(x):
        assert back["x"] == x
    else:
        assert back["x"] is None
