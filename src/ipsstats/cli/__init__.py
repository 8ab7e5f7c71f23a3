"""The ``ipsstats`` command: equity reports, data validation and the 2022 paper reproduced.

Run ``ipsstats --help`` (or ``python -m ipsstats --help``) for the subcommands:

``demo``
    The full equity report of the bundled SYNTHETIC cohort (no input needed).
``report COHORT.csv``
    The full equity report of a cohort file, optionally against an eligible caseload file
    (long format: ``attribute,level,count``), as text, Markdown, HTML or JSON.
``validate COHORT.csv``
    The data-quality check only: records read, excluded and why, one line per problem.
``reproduce perkins2022``
    Tables 2 and 3 of Perkins et al. (2022) recomputed from the published counts, beside
    the published values.
``summarise COHORT.csv``
    A site summary: the counts of an equity analysis without the records (JSON or
    Parquet), optionally disclosure-safe, for pooling with other sites.
``combine SUMMARY ...``
    One analysis of several sites from their summary files.

Invalid records. ``report`` stops at invalid records by default, naming the first ones
(line, field, value, reason), so that nothing is dropped without the analyst deciding it;
``--errors exclude`` drops them instead and the report's completeness section lists
every one. ``validate`` always reads in the excluding mode and lists what it dropped.

Exit status: 0 on success; 1 when ``validate --strict`` finds invalid records or
``reproduce`` does not match every published value; 2 for a usage error or an input that
cannot be used (a missing or malformed file, a wrong column mapping, an unparseable
date, an invalid option), reported as one line on standard error starting
``ipsstats: error:``.
"""

from ipsstats.cli._main import main

__all__ = ["main"]
