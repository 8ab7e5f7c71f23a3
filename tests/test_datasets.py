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


def test_each_call_is_independent() -> None:
    first, second = perkins2022(), perkins2022()
    assert first is not second
    np.testing.assert_array_equal(first.jobs_all["WWT"].counts, second.jobs_all["WWT"].counts)
