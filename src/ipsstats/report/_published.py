"""What a report shows for each table: counts as published, and estimates derived from them.

Under disclosure control every share, rate, ratio and interval a report shows is computed
from the *published* (rounded) counts, never from the exact ones, so that no derived number
carries more information than the counts beside it: a percentage agrees with the rounded
count it stands next to, and nothing lets a reader undo the rounding. Without disclosure
control the exact results are shown. Both cases give the same row objects, which the
document sections and the JSON form read.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ipsstats.categorical import Counts, proportion, risk_difference, risk_ratio
from ipsstats.equity import AccessEquity, AccessGroup, DurationEquity, OutcomeEquity, access_equity
from ipsstats.errors import IpsStatsError
from ipsstats.report import _ledger as keys
from ipsstats.report._ledger import Key, Protection
from ipsstats.results import Estimate

__all__: list[str] = []

DERIVED = "withheld: derived from a suppressed count"
REFERENCE = "withheld: the reference group's counts are suppressed"
NOT_ESTIMABLE = "withheld: not estimable from the published counts"


@attrs.frozen(kw_only=True)
class Count:
    """A count as published: its value (``None`` when suppressed) and why it is hidden."""

    value: int | None
    reason: str = ""

    @property
    def hidden(self) -> bool:
        """Whether the count is suppressed."""
        return self.value is None

    @property
    def text(self) -> str:
        """The count as printed: the (rounded) value, or ``*``."""
        return "*" if self.value is None else str(self.value)


def count(protection: Protection | None, key: Key, raw: int) -> Count:
    """Return the published form of a count."""
    if protection is None:
        return Count(value=int(raw))
    shown = protection.shown(key, raw)
    return Count(value=shown, reason=protection.reason(key, raw) if shown is None else "")


def share(top: Count, bottom: Count) -> float | None:
    """``top / bottom`` of published counts (``None`` when either is hidden or 0)."""
    if top.value is None or not bottom.value:
        return None
    return top.value / bottom.value


def _undefined(method: str, note: str, level: float) -> Estimate:
    return Estimate(
        value=None, lower=None, upper=None, confidence_level=level, method=method, note=note
    )


def _rate(k: Count, n: Count, level: float, note: str) -> Estimate | None:
    """Wilson interval of ``k / n`` from published counts (``None`` when one is hidden)."""
    if k.value is None or n.value is None:
        return None
    if n.value == 0:
        return _undefined("wilson", note, level)
    return proportion(k.value, n.value, method="wilson", confidence_level=level)


# --------------------------------------------------------------------------------------
# access
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class AccessRow:
    """One group of an access table, as shown.

    `estimates` holds the group's shares, reach, representation ratio, adjusted residual
    and flag (from the published counts under disclosure control); ``None`` when they are
    withheld, with the reason in `withheld`.
    """

    label: object
    ips: Count
    eligible: Count
    ips_share: float | None
    eligible_share: float | None
    estimates: AccessGroup | None
    withheld: str = ""


@attrs.frozen(kw_only=True)
class AccessTable:
    """An access analysis as shown: rows, totals, missing counts and overall reach."""

    rows: tuple[AccessRow, ...]
    ips_n: Count
    eligible_n: Count
    ips_missing: Count
    eligible_missing: Count
    ips_missing_share: float | None
    eligible_missing_share: float | None
    users: Count
    everyone: Count
    overall_reach: Estimate | None
    missing_reach: Estimate | None
    test_n: Count


def _published_group(
    label: object, counts: tuple[int, int, int, int], res: AccessEquity
) -> AccessGroup | None:
    """Estimate a group's shares, ratio and flag from published counts ``(a, A, e, E)``.

    A group's representation ratio, its interval, its adjusted residual and its flag
    depend only on its own counts and the two totals (the Katz, Wilson and delta-method
    intervals and the residuals of the 2 x k table), so the analysis of the group against
    everyone else gives the same numbers as the analysis of all groups.
    """
    a, total_a, e, total_e = counts
    try:
        collapsed = access_equity(
            Counts.from_counts([a, total_a - a], ["group", "others"]),
            Counts.from_counts([e, total_e - e], ["group", "others"]),
            method=res.method,
            confidence_level=res.confidence_level,
        )
    except IpsStatsError:
        return None
    found = collapsed.groups[0]
    reach = None
    if a <= e and any(g.reach is not None for g in res.groups):
        reach = _rate(Count(value=a), Count(value=e), res.confidence_level, "no eligible people")
    return attrs.evolve(found, group=label, reach=reach)


def access_table(
    attr: str, res: AccessEquity, protection: Protection | None, which: str = "main"
) -> AccessTable:
    """Show the access analysis of `attr` (`which`: ``"main"`` or ``"sensitivity"``)."""
    include = res.missing == "include"
    ips_n = count(protection, keys.access(attr, which, "ips_n"), res.ips_n)
    eligible_n = count(protection, keys.access(attr, which, "eligible_n"), res.eligible_n)
    rows = []
    for g in res.groups:
        ips = count(protection, keys.access(attr, "ips", g.group), g.ips_n)
        eligible = count(protection, keys.access(attr, "eligible", g.group), g.eligible_n)
        if protection is None:
            rows.append(
                AccessRow(
                    label=g.group,
                    ips=ips,
                    eligible=eligible,
                    ips_share=g.ips_share,
                    eligible_share=g.eligible_share,
                    estimates=g,
                )
            )
            continue
        values = (ips.value, ips_n.value, eligible.value, eligible_n.value)
        estimates, withheld = None, DERIVED
        if all(v is not None for v in values):
            a, total_a, e, total_e = (int(v) for v in values if v is not None)
            estimates = _published_group(g.group, (a, total_a, e, total_e), res)
            withheld = "" if estimates is not None else NOT_ESTIMABLE
        rows.append(
            AccessRow(
                label=g.group,
                ips=ips,
                eligible=eligible,
                ips_share=share(ips, ips_n),
                eligible_share=share(eligible, eligible_n),
                estimates=estimates,
                withheld=withheld,
            )
        )
    ips_missing = count(protection, keys.access(attr, "ips_missing"), res.ips_missing)
    eligible_missing = count(
        protection, keys.access(attr, "eligible_missing"), res.eligible_missing
    )
    users = count(protection, keys.PEOPLE, res.ips_n + (0 if include else res.ips_missing))
    everyone = count(
        protection,
        ("eligible_total", attr),
        res.eligible_n + (0 if include else res.eligible_missing),
    )
    test_key = keys.access(attr, which, "test_n")
    test_n = Count(value=None, reason="omitted under disclosure control")
    if protection is None:
        test_n = Count(value=int(res.test.n))
    elif protection.ledger.canonical(test_key) in protection.ledger.values:
        test_n = count(protection, test_key, res.test.n)
    level = res.confidence_level
    overall_reach = res.overall_reach
    missing_reach = res.missing_reach
    if protection is not None:
        overall_reach = None if res.overall_reach is None else _rate(users, everyone, level, "")
        missing_reach = (
            None
            if res.missing_reach is None
            else _rate(ips_missing, eligible_missing, level, "no eligible people")
        )
    return AccessTable(
        rows=tuple(rows),
        ips_n=ips_n,
        eligible_n=eligible_n,
        ips_missing=ips_missing,
        eligible_missing=eligible_missing,
        ips_missing_share=res.ips_missing_share
        if protection is None
        else share(ips_missing, users),
        eligible_missing_share=res.eligible_missing_share
        if protection is None
        else share(eligible_missing, everyone),
        users=users,
        everyone=everyone,
        overall_reach=overall_reach,
        missing_reach=missing_reach,
        test_n=test_n,
    )


# --------------------------------------------------------------------------------------
# outcomes
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OutcomeRow:
    """One group of an outcome table, as shown; estimates ``None`` when withheld."""

    label: object
    n: Count
    jobs: Count
    rate: Estimate | None
    rate_ratio: Estimate | None
    rate_difference: Estimate | None
    reference: bool
    rate_withheld: str = ""
    comparison_withheld: str = ""


@attrs.frozen(kw_only=True)
class OutcomeTable:
    """An outcome analysis as shown."""

    rows: tuple[OutcomeRow, ...]
    n: Count
    n_missing: Count
    n_window_excluded: Count
    test_n: Count


def _comparison(
    compare: Callable[..., Estimate], row: tuple[Count, Count], ref: tuple[Count, Count]
) -> Estimate:
    (k, n), (rk, rn) = row, ref
    return compare(k.value, n.value, rk.value, rn.value)


def outcome_table(
    attr: str, window: str, res: OutcomeEquity, protection: Protection | None
) -> OutcomeTable:
    """Show an outcome analysis (`window`: ``"all"`` or ``"window"``)."""
    level = res.confidence_level
    shown = [
        (
            count(protection, keys.outcome(attr, window, "n", g.group), g.n),
            count(protection, keys.outcome(attr, window, "jobs", g.group), g.jobs),
        )
        for g in res.groups
    ]
    reference = next((k for k, g in enumerate(res.groups) if g.rate_ratio is None), None)
    rows = []
    for k, (g, (n, jobs)) in enumerate(zip(res.groups, shown, strict=True)):
        is_reference = k == reference
        if protection is None:
            rows.append(
                OutcomeRow(
                    label=g.group,
                    n=n,
                    jobs=jobs,
                    rate=g.rate,
                    rate_ratio=g.rate_ratio,
                    rate_difference=g.rate_difference,
                    reference=is_reference,
                )
            )
            continue
        hidden = n.hidden or jobs.hidden
        rate = None if hidden else _rate(jobs, n, level, "no one in the group")
        ratio = difference = None
        comparison_withheld = ""
        if not is_reference and reference is not None:
            ref_n, ref_jobs = shown[reference]
            if hidden:
                comparison_withheld = DERIVED
            elif ref_n.hidden or ref_jobs.hidden:
                comparison_withheld = REFERENCE
            elif not n.value or not ref_n.value:
                ratio = _undefined("katz-log", "a group with no one in it", level)
                difference = _undefined(
                    "newcombe-hybrid-score", "a group with no one in it", level
                )
            else:
                pair, ref = (jobs, n), (ref_jobs, ref_n)
                ratio = _comparison(lambda *c: risk_ratio(*c, confidence_level=level), pair, ref)
                difference = _comparison(
                    lambda *c: risk_difference(*c, confidence_level=level), pair, ref
                )
        rows.append(
            OutcomeRow(
                label=g.group,
                n=n,
                jobs=jobs,
                rate=rate,
                rate_ratio=ratio,
                rate_difference=difference,
                reference=is_reference,
                rate_withheld=DERIVED if hidden else "",
                comparison_withheld=comparison_withheld,
            )
        )
    test_n = Count(value=None, reason="omitted under disclosure control")
    if res.overall is not None:
        test_n = count(protection, keys.outcome(attr, window, "test_n"), res.overall.result.n)
    return OutcomeTable(
        rows=tuple(rows),
        n=count(protection, keys.outcome(attr, window, "n"), res.n),
        n_missing=count(protection, keys.outcome(attr, window, "n_missing"), res.n_missing),
        n_window_excluded=count(
            protection, keys.outcome(attr, window, "n_window_excluded"), res.n_window_excluded
        ),
        test_n=test_n,
    )


# --------------------------------------------------------------------------------------
# durations
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class DurationRow:
    """One group of a duration table, as shown."""

    label: object
    n: Count
    events: Count
    present: bool = True

    @property
    def hidden(self) -> bool:
        """Whether the row's estimates are withheld (suppressed counts, or nobody in it)."""
        return self.n.hidden or self.events.hidden or not self.present


@attrs.frozen(kw_only=True)
class DurationTable:
    """Show a duration analysis."""

    rows: tuple[DurationRow, ...]
    n: Count
    n_missing: Count
    n_window_excluded: Count
    logrank_n: Count | None
    gray_n: Count | None


def duration_table(attr: str, res: DurationEquity, protection: Protection | None) -> DurationTable:
    """Show a duration analysis."""
    m = res.measure

    def test_n(kind: str, n: int | None) -> Count | None:
        return None if n is None else count(protection, keys.duration(attr, m, f"{kind}_n"), n)

    rows = [
        DurationRow(
            label=g.group,
            n=count(protection, keys.duration(attr, m, "n", g.group), g.n),
            events=count(protection, keys.duration(attr, m, "events", g.group), g.n_events),
        )
        for g in res.groups
    ]
    if protection is not None:  # every group of the attribute, empty ones included
        present = {str(g.group) for g in res.groups}
        order = protection.ledger.labels.get(attr, [])
        rows += [
            DurationRow(
                label=label,
                n=count(protection, keys.duration(attr, m, "n", label), 0),
                events=count(protection, keys.duration(attr, m, "events", label), 0),
                present=False,
            )
            for label in order
            if label not in present
        ]
        rank = {label: k for k, label in enumerate(order)}
        rows.sort(key=lambda row: rank.get(str(row.label), len(rank)))
    return DurationTable(
        rows=tuple(rows),
        n=count(protection, keys.duration(attr, m, "n"), res.n),
        n_missing=count(protection, keys.duration(attr, m, "n_missing"), res.n_missing),
        n_window_excluded=count(
            protection, keys.duration(attr, m, "n_window_excluded"), res.n_window_excluded
        ),
        logrank_n=test_n("logrank", None if res.logrank is None else res.logrank.n),
        gray_n=test_n("gray", None if res.gray is None else res.gray.n),
    )
