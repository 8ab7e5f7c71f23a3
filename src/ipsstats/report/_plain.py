"""Messages for readers: why an analysis of the report was not run, in plain words.

The library's errors name arguments and rules for the programmer who called it
("`table` must have at least two non-empty rows ..."). A report is read by people who did
not call anything, so each reason an analysis or test could not be run is rewritten as a
plain sentence about the data ("Not enough people had a job to compare groups.").
"""

from __future__ import annotations

import re

__all__: list[str] = []

_EMPTY_COLUMNS = re.compile(r"empty columns: \[([^\]]*)\]")
_EMPTY_ROWS = re.compile(r"empty rows: \[([^\]]*)\]")
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"leaves no one"),
        (
            "No one had the minimum follow-up; a shorter window or a later study end would "
            "include people."
        ),
    ),
    (
        re.compile(r"nobody (in .* )?has a known value|nobody has both a known"),
        "Nobody had a known value of this attribute, so there were no groups to compare.",
    ),
    (
        re.compile(r"at least 2 groups"),
        "Fewer than two groups had anyone to follow, so there were no groups to compare.",
    ),
    (
        re.compile(r"at least one event"),
        "Nobody had the event (a job, or leaving work), so the groups could not be compared.",
    ),
    (
        re.compile(r"never have subjects at risk together"),
        "The groups were never followed at the same time, so they could not be compared.",
    ),
)
_FALLBACK = "The data were not sufficient for this analysis."


def _empty_columns(text: str) -> str | None:
    match = _EMPTY_COLUMNS.search(text)
    if match is None or not match.group(1).strip():
        return None
    columns = match.group(1)
    if "'job'" in columns:
        return "Not enough people had a job to compare groups."
    return "Everybody had a job, so job rates could not be compared."


def _empty_rows(text: str) -> str | None:
    if "non-empty rows" not in text:
        return None
    return "Fewer than two groups had anyone in them, so there were no groups to compare."


def plain_reason(message: str) -> str:
    """Rewrite a library error message as a plain sentence about the data."""
    for rule, sentence in _RULES:
        if rule.search(message):
            return sentence
    found = _empty_columns(message)
    if found is None and re.search(r"got [01] non-empty of \d+ rows", message):
        found = _empty_rows(message)
    return found or _FALLBACK


def plain_caveat(text: str) -> str:
    """Rewrite a caveat ``"<what> not computed: <error>"`` for readers; others unchanged.

    Examples
    --------
    >>> plain_caveat("overall test not computed: `table` must have at least two non-empty "
    ...              "rows and two non-empty columns after exclusions; got 3 non-empty of 3 "
    ...              "rows and 1 non-empty of 2 columns (empty rows: []; empty columns: "
    ...              "['job']).")
    'overall test not computed: Not enough people had a job to compare groups.'
    >>> plain_caveat("expected counts below 5")
    'expected counts below 5'
    """
    if "not computed" not in text:
        return text
    head, _, why = text.partition("not computed")
    why = why.lstrip(":( ").rstrip(")")
    return f"{head.rstrip(': ')} not computed: {plain_reason(why)}"
