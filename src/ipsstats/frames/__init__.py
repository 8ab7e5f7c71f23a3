"""The frames wing: data frames of any engine, counted where they live.

ipsstats depends on records only through sufficient statistics: counts by category cells,
and counts of exits and entries by time, group and stratum. This wing computes them inside
the engine that holds the data (pandas, polars eager or lazy, pyarrow, DuckDB, Ibis,
PySpark, Dask), through the optional `narwhals <https://narwhals-dev.github.io/narwhals/>`_
compatibility layer (``pip install "ipsstats[frames]"``), and returns plain numpy
aggregates that the other wings finish: :func:`category_counts` for
:func:`ipsstats.tally` and :func:`ipsstats.crosstab`, :func:`event_counts` for the survival
functions, :func:`read_columns` for :meth:`ipsstats.Cohort.from_frame`.

The wing depends on the core only, and imports narwhals (never pandas, polars or an engine)
inside its functions: ``import ipsstats`` imports none of them.
"""

from ipsstats.frames._backend import is_frame
from ipsstats.frames.columns import column_names, read_columns
from ipsstats.frames.counts import CategoryCounts, category_counts
from ipsstats.frames.events import EventCounts, event_counts

__all__ = [
    "CategoryCounts",
    "EventCounts",
    "category_counts",
    "column_names",
    "event_counts",
    "is_frame",
    "read_columns",
]
