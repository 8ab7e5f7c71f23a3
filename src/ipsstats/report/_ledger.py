"""Report-wide disclosure control: every count a report publishes, protected as one system.

A report publishes the same quantities in several places (IPS users by group in the access
table, as the group sizes of the outcome tables and of the duration tables; people analysed
as the sum over the groups of every attribute ...). The :class:`Ledger` names each quantity
once, by where it appears (*natural keys*), unifies the names that denote the same count
(*aliases*, declared by definition and kept only when the values agree), and records the
totals that tie counts together (*sums*, likewise kept only when they hold). The
:class:`Protection` then decides once per quantity (suppressed, or shown rounded), so a
count is protected in the same way wherever it appears, and checks the whole system with
:func:`~ipsstats.report.audit.audit_counts`, suppressing more counts until no suppressed
count can be recovered exactly from everything published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import attrs

from ipsstats.equity import AccessEquity, DurationEquity, OutcomeEquity
from ipsstats.report.audit import (
    DisclosureAudit,
    _cheapest_release,
    audit_counts,
)
from ipsstats.report.disclosure import Disclosure

__all__: list[str] = []

Key = tuple[str, ...]

PRIMARY = "primary: count below {threshold}"
SECONDARY = "secondary: protects a suppressed count from recovery across the report's tables"
# What a report publishes for every suppressed count. Which rule hid a count is not
# published: a reader who knew it would know each count hidden by the primary rule is
# below the threshold and each other one is not, bounds that pin some counts (a group of
# 3 or 4 whose part is hidden as small and whose rest is hidden as large) whatever else
# is hidden.
PUBLISHED = "suppressed: a count below {threshold}, or a count that would reveal one"

PEOPLE: Key = ("people",)
READ: Key = ("records", "read")
VALID: Key = ("records", "valid")
EXCLUDED: Key = ("records", "excluded")


def missing(attr: str) -> Key:
    """Key of the people whose `attr` is not known."""
    return ("missing", attr)


def known(attr: str) -> Key:
    """People whose `attr` is known."""
    return ("known", attr)


def group(attr: str, label: object) -> Key:
    """People in a group (IPS users)."""
    return ("group", attr, str(label))


def jobs(attr: str, label: object) -> Key:
    """People in a group who gained a job by the study end."""
    return ("jobs", attr, str(label))


def eligible(attr: str, label: object) -> Key:
    """Eligible people in a group."""
    return ("eligible", attr, str(label))


def access(attr: str, *parts: object) -> Key:
    """Key of a count shown by the access analysis of `attr`."""
    return ("access", attr, *(str(p) for p in parts))


def outcome(attr: str, window: str, *parts: object) -> Key:
    """Key of a count shown by an outcome analysis (`window`: ``"all"``, ``"window"``)."""
    return ("outcome", attr, window, *(str(p) for p in parts))


def duration(attr: str, measure: str, *parts: object) -> Key:
    """Key of a count shown by a duration analysis."""
    return ("duration", attr, measure, *(str(p) for p in parts))


def step(index: int, *parts: object) -> Key:
    """Key of a count of a selection step."""
    return ("step", str(index), *(str(p) for p in parts))


def reason(text: str) -> Key:
    """Key of the records excluded on loading for one reason."""
    return ("records", "excluded", text)


def name_of(key: Key) -> str:
    """Return the readable name of a count in an audit."""
    return " / ".join(key)


class ReportParts(Protocol):
    """What the ledger reads from an :class:`~ipsstats.EquityReport`."""

    @property
    def validation(self) -> Mapping[str, Any]: ...  # fields of EquityReport
    @property
    def selection_steps(self) -> tuple[Mapping[str, Any], ...]: ...
    @property
    def n_people(self) -> int: ...
    @property
    def missing_by_attribute(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def eligible_sizes(self) -> Mapping[str, Mapping[str, int]]: ...
    @property
    def options(self) -> Mapping[str, Any]: ...
    @property
    def access(self) -> Mapping[str, AccessEquity]: ...
    @property
    def outcome_all(self) -> Mapping[str, OutcomeEquity | None]: ...
    @property
    def outcome_window(self) -> Mapping[str, OutcomeEquity | None]: ...
    @property
    def durations(self) -> Mapping[str, Mapping[str, DurationEquity | None]]: ...


@attrs.define
class Ledger:
    """Builder of the system of counts of one report (mutable while it is built)."""

    values: dict[Key, int] = attrs.field(factory=dict)
    keep_zero: dict[Key, bool] = attrs.field(factory=dict)
    displayed: set[Key] = attrs.field(factory=set)
    protected: set[Key] = attrs.field(factory=set)
    aliases: dict[Key, Key] = attrs.field(factory=dict)
    sums: list[tuple[Key, tuple[Key, ...]]] = attrs.field(factory=list)
    dropped: list[str] = attrs.field(factory=list)
    labels: dict[str, list[str]] = attrs.field(factory=dict)

    def label(self, attr: str, value: object) -> None:
        """Record a group of an attribute (every table shows every group)."""
        found = self.labels.setdefault(attr, [])
        if str(value) not in found:
            found.append(str(value))

    def canonical(self, key: Key) -> Key:
        """Return the key under which the count of `key` is held."""
        while key in self.aliases:
            key = self.aliases[key]
        return key

    def count(
        self,
        key: Key,
        value: int,
        *,
        same_as: Key | None = None,
        keep_zero: bool = False,
        displayed: bool = True,
        protected: bool = True,
    ) -> Key:
        """Register a count; with `same_as`, the same count as another key if the values agree.

        Returns the canonical key. A key registered twice must have one value.
        """
        value = int(value)
        if key in self.aliases or key in self.values:
            found = self.canonical(key)
            if self.values[found] != value:
                raise RuntimeError(f"count {name_of(key)} registered as {value} and otherwise")
        elif same_as is not None:
            target = self.canonical(same_as)
            if target not in self.values:
                self.values[target] = value
            if self.values[target] == value:
                self.aliases[key] = target
            else:
                self.dropped.append(f"{name_of(key)} differs from {name_of(same_as)}")
                self.values[key] = value
        else:
            self.values[key] = value
        found = self.canonical(key)
        self.keep_zero[found] = self.keep_zero.get(found, keep_zero) and keep_zero
        if displayed:
            self.displayed.add(found)
        if protected:
            self.protected.add(found)
        return found

    def aux(self, key: Key, value: int) -> Key:
        """Register an unpublished count (neither displayed nor protected)."""
        return self.count(key, value, keep_zero=True, displayed=False, protected=False)

    def total(self, total: Key, parts: Iterable[Key]) -> None:
        """Declare ``total = sum(parts)``, kept only when the values agree."""
        whole = self.canonical(total)
        pieces = tuple(self.canonical(p) for p in parts)
        if not pieces:
            return
        if self.values[whole] != sum(self.values[p] for p in pieces):
            self.dropped.append(f"{name_of(total)} is not the sum of its parts")
            return
        if pieces != (whole,) and (whole, pieces) not in self.sums:
            self.sums.append((whole, pieces))

    def value(self, key: Key) -> int:
        """Return the true value of a registered count."""
        return self.values[self.canonical(key)]


# --------------------------------------------------------------------------------------
# the ledger of a report
# --------------------------------------------------------------------------------------


def _completeness(ledger: Ledger, report: ReportParts) -> None:
    v = report.validation
    ledger.count(READ, int(v["n_read"]), keep_zero=True)
    ledger.count(VALID, int(v["n_valid"]), keep_zero=True)
    ledger.count(EXCLUDED, int(v["n_excluded"]), keep_zero=True)
    ledger.total(READ, [VALID, EXCLUDED])
    reasons = dict(v.get("counts", {}))
    for text, n in reasons.items():
        ledger.count(reason(text), int(n), keep_zero=True)
    ledger.total(EXCLUDED, [reason(text) for text in reasons])
    previous = VALID
    for k, record in enumerate(report.selection_steps):
        before = ledger.count(
            step(k, "before"), int(record["n_before"]), same_as=previous, keep_zero=True
        )
        after = ledger.count(step(k, "after"), int(record["n_after"]), keep_zero=True)
        excluded = ledger.count(step(k, "excluded"), int(record["n_excluded"]), keep_zero=True)
        ledger.total(before, [after, excluded])
        rules = dict(record.get("counts", {}))
        for rule, n in rules.items():
            ledger.count(step(k, "rule", rule), int(n), keep_zero=True)
        ledger.total(excluded, [step(k, "rule", rule) for rule in rules])
        previous = after
    # people analysed are those kept after the last selection step (or on loading)
    ledger.count(PEOPLE, report.n_people, same_as=previous, keep_zero=True)
    for attr, record in report.missing_by_attribute.items():
        ledger.count(missing(attr), int(record["n_missing"]), keep_zero=True)
        ledger.aux(known(attr), report.n_people - int(record["n_missing"]))
        ledger.total(PEOPLE, [known(attr), missing(attr)])


def _access_analysis(ledger: Ledger, attr: str, res: AccessEquity, which: str) -> None:
    include = res.missing == "include"
    labels = [str(g.group) for g in res.groups]
    parts_ips, parts_eligible = [], []
    for k, g in enumerate(res.groups):
        is_missing = include and k == len(labels) - 1
        if not is_missing:
            ledger.label(attr, g.group)
        ips = ledger.count(
            access(attr, "ips", g.group),
            g.ips_n,
            same_as=missing(attr) if is_missing else group(attr, g.group),
        )
        elig = ledger.count(
            access(attr, "eligible", g.group),
            g.eligible_n,
            same_as=("eligible_missing", attr) if is_missing else eligible(attr, g.group),
        )
        parts_ips.append(ips)
        parts_eligible.append(elig)
    ips_total = PEOPLE if include else known(attr)
    eligible_total = ("eligible_total", attr) if include else ("eligible_known", attr)
    ips_n = ledger.count(access(attr, which, "ips_n"), res.ips_n, same_as=ips_total)
    eligible_n = ledger.count(
        access(attr, which, "eligible_n"), res.eligible_n, same_as=eligible_total
    )
    ledger.total(ips_n, parts_ips)
    ledger.total(eligible_n, parts_eligible)
    ledger.count(
        access(attr, "ips_missing"), res.ips_missing, same_as=missing(attr), keep_zero=True
    )
    ledger.count(
        access(attr, "eligible_missing"),
        res.eligible_missing,
        same_as=("eligible_missing", attr),
        keep_zero=True,
    )
    n = int(res.test.n)
    candidates = {
        int(ledger.value(ips_n)) + int(ledger.value(eligible_n)): None,
        int(ledger.value(ips_n)): ips_n,
        int(ledger.value(eligible_n)): eligible_n,
    }
    if n in candidates:
        test_n = ledger.count(access(attr, which, "test_n"), n, same_as=candidates[n])
        if candidates[n] is None:
            ledger.total(test_n, [ips_n, eligible_n])
    if res.sensitivity is not None:
        _access_analysis(ledger, attr, res.sensitivity, "sensitivity")


def _access(ledger: Ledger, report: ReportParts) -> None:
    for attr, sizes in report.eligible_sizes.items():
        total = ledger.count(("eligible_total", attr), int(sizes["total"]))
        known_eligible = ledger.count(("eligible_known", attr), int(sizes["n"]))
        missing_eligible = ledger.count(
            ("eligible_missing", attr), int(sizes["n_missing"]), keep_zero=True
        )
        ledger.total(total, [known_eligible, missing_eligible])
    for attr, res in report.access.items():
        _access_analysis(ledger, attr, res, "main")


def _outcome(ledger: Ledger, attr: str, res: OutcomeEquity, window: str) -> None:
    every = window == "all"
    ns, job_keys = [], []
    for g in res.groups:
        ledger.label(attr, g.group)
        n = ledger.count(
            outcome(attr, window, "n", g.group),
            g.n,
            same_as=group(attr, g.group) if every else ("window", attr, str(g.group)),
        )
        j = ledger.count(
            outcome(attr, window, "jobs", g.group),
            g.jobs,
            same_as=jobs(attr, g.group) if every else ("window_jobs", attr, str(g.group)),
        )
        others = ledger.count(
            outcome(attr, window, "no_job", g.group),
            g.n - g.jobs,
            same_as=("no_job", attr, str(g.group)) if every else None,
            displayed=False,
        )
        ledger.total(n, [j, others])
        if not every:  # the window is a subset of everyone
            label = str(g.group)
            whole = (group(attr, label), jobs(attr, label), ("no_job", attr, label))
            if all(k in ledger.values or k in ledger.aliases for k in whole):
                pieces = []
                for key, part in zip(whole, (n, j, others), strict=True):
                    rest = ledger.aux(("outside", *key), ledger.value(key) - ledger.value(part))
                    ledger.total(key, [part, rest])
                    pieces.append(rest)
                ledger.total(pieces[0], pieces[1:])
        ns.append(n)
        job_keys.append(j)
    total = ledger.count(
        outcome(attr, window, "n"), res.n, same_as=known(attr) if every else ("window_known", attr)
    )
    ledger.total(total, ns)
    jobs_known = ledger.count(
        ("jobs_known", attr) if every else ("window_jobs_known", attr),
        sum(g.jobs for g in res.groups),
        displayed=False,
        protected=False,
    )
    ledger.total(jobs_known, job_keys)
    absent = ledger.count(
        outcome(attr, window, "n_missing"),
        res.n_missing,
        same_as=missing(attr) if every else ("window_missing", attr),
        keep_zero=True,
    )
    left_out = ledger.count(
        outcome(attr, window, "n_window_excluded"),
        res.n_window_excluded,
        same_as=("excluded at the study end",) if every else ("window_excluded",),
        keep_zero=True,
    )
    if every:
        ledger.total(PEOPLE, [total, absent])
    else:
        everyone = ledger.count(
            ("window_people", attr),
            res.n + res.n_missing,
            same_as=("window_people",),
            keep_zero=True,
            displayed=False,
            protected=False,
        )
        ledger.total(everyone, [total, absent])
        ledger.total(PEOPLE, [everyone, left_out])
        if missing(attr) in ledger.aliases or missing(attr) in ledger.values:
            rest = ledger.aux(
                ("outside", *missing(attr)), ledger.value(missing(attr)) - res.n_missing
            )
            ledger.total(missing(attr), [absent, rest])
    if res.overall is not None:
        ledger.count(outcome(attr, window, "test_n"), res.overall.result.n, same_as=total)


def _duration(ledger: Ledger, attr: str, res: DurationEquity) -> None:
    measure = res.measure
    first = measure == "time_to_job"
    ns, event_keys = [], []
    found = {str(g.group): (g.n, g.n_events) for g in res.groups}
    # a group with nobody to follow is left out of the analysis; the report shows it with
    # its counts (0) protected, or its absence would say that it is empty
    for label in [
        *ledger.labels.get(attr, []),
        *(k for k in found if k not in ledger.labels.get(attr, [])),
    ]:
        size, n_events = found.get(label, (0, 0))
        n = ledger.count(
            duration(attr, measure, "n", label),
            size,
            same_as=group(attr, label) if first else jobs(attr, label),
        )
        events = ledger.count(
            duration(attr, measure, "events", label),
            n_events,
            same_as=jobs(attr, label) if first else ("left_work", attr, label),
        )
        others = ledger.count(
            duration(attr, measure, "others", label),
            size - n_events,
            same_as=("no_job", attr, label) if first else ("in_work", attr, label),
            displayed=False,
        )
        ledger.total(n, [events, others])
        ns.append(n)
        event_keys.append(events)
    total = ledger.count(
        duration(attr, measure, "n"),
        res.n,
        same_as=known(attr) if first else ("jobs_known", attr),
    )
    ledger.total(total, ns)
    absent = ledger.count(
        duration(attr, measure, "n_missing"),
        res.n_missing,
        same_as=missing(attr) if first else ("jobs_missing", attr),
        keep_zero=True,
    )
    if not first:
        everyone = ledger.count(
            ("jobs_total", attr),
            res.n + res.n_missing,
            same_as=("jobs_total",),
            keep_zero=True,
            displayed=False,
            protected=False,
        )
        ledger.total(everyone, [total, absent])
    ledger.count(
        duration(attr, measure, "n_window_excluded"),
        res.n_window_excluded,
        same_as=("excluded at the study end",),
        keep_zero=True,
    )
    for kind, test in (("logrank", res.logrank), ("gray", res.gray)):
        if test is not None:
            ledger.count(duration(attr, measure, f"{kind}_n"), test.n, same_as=total)


def build_ledger(report: ReportParts) -> Ledger:
    """Name every count a report publishes and the totals that tie them together."""
    ledger = Ledger()
    _completeness(ledger, report)
    _access(ledger, report)
    for attr in report.options["by"]:
        for window, res in (
            ("all", report.outcome_all.get(attr)),
            ("window", report.outcome_window.get(attr)),
        ):
            if res is not None:
                _outcome(ledger, attr, res, window)
        for measure in ("time_to_job", "in_work_support"):
            found = report.durations.get(attr, {}).get(measure)
            if found is not None:
                _duration(ledger, attr, found)
    return ledger


# --------------------------------------------------------------------------------------
# protection: one decision per count, checked across the whole report
# --------------------------------------------------------------------------------------


def _round(value: int, round_to: int) -> int:
    """Round half up to the nearest multiple of `round_to`."""
    return ((value + round_to // 2) // round_to) * round_to


@attrs.frozen(kw_only=True, eq=False)
class Protection:
    """What a report under disclosure control shows for each of its counts.

    Parameters
    ----------
    disclosure : Disclosure
        The rules.
    ledger : Ledger
        The counts and the totals that tie them (not changed after the decision).
    suppressed : Mapping[Key, str]
        Canonical keys of the suppressed counts, with the reason for each.
    audit : DisclosureAudit
        The final check of the whole report.
    """

    disclosure: Disclosure
    ledger: Ledger
    suppressed: Mapping[Key, str]
    audit: DisclosureAudit

    def _key(self, key: Key, value: int) -> Key:
        found = self.ledger.canonical(key)
        if found not in self.ledger.values or self.ledger.values[found] != int(value):
            raise RuntimeError(f"the report shows {name_of(key)} = {value}, not in its ledger")
        return found

    def hidden(self, key: Key, value: int) -> bool:
        """Whether the count is suppressed."""
        return self._key(key, value) in self.suppressed

    def shown(self, key: Key, value: int) -> int | None:
        """Return the published (rounded) value, or ``None`` when suppressed."""
        found = self._key(key, value)
        if found in self.suppressed:
            return None
        return _round(int(value), self.disclosure.round_to)

    def reason(self, key: Key, value: int) -> str:
        """Return what is published about a suppressed count (``""`` when it is shown).

        One text for every suppressed count, whichever rule hid it (see
        :data:`PUBLISHED`); :attr:`suppressed` keeps the rule for the report's own use.
        """
        if self._key(key, value) not in self.suppressed:
            return ""
        return PUBLISHED.format(threshold=self.disclosure.threshold)

    def text(self, key: Key, value: int) -> str:
        """Return the count as printed: rounded, or ``*``."""
        shown = self.shown(key, value)
        return "*" if shown is None else str(shown)


def _system(
    ledger: Ledger, suppressed: Mapping[Key, str], disclosure: Disclosure
) -> dict[str, Any]:
    """Return the report as a reader sees it: shown counts, suppressed ones, totals."""
    round_to = disclosure.round_to
    published = PUBLISHED.format(threshold=disclosure.threshold)
    shown = {
        name_of(key): _round(value, round_to)
        for key, value in ledger.values.items()
        if key in ledger.displayed and key not in suppressed
    }
    sums: list[tuple[str, list[str]]] = [
        (name_of(total), [name_of(p) for p in parts]) for total, parts in ledger.sums
    ]
    keep = {name_of(k) for k, flag in ledger.keep_zero.items() if flag}
    return {
        "shown": shown,
        "suppressed": {name_of(k): published for k in suppressed},
        "sums": sums,
        "keep_zeros": keep,
    }


def _audit(
    ledger: Ledger, suppressed: Mapping[Key, str], disclosure: Disclosure
) -> DisclosureAudit:
    system = _system(ledger, suppressed, disclosure)
    return audit_counts(
        system["shown"],
        system["suppressed"],
        sums=system["sums"],
        threshold=disclosure.threshold,
        round_to=disclosure.round_to,
        keep_zeros=system["keep_zeros"],
    )


def _release(
    ledger: Ledger, suppressed: Mapping[Key, str], disclosure: Disclosure, target: Key
) -> list[Key]:
    """Choose the shown counts, of least total size, whose suppression protects `target`."""
    system = _system(ledger, suppressed, disclosure)
    places = dict.fromkeys(ledger.values, 1)
    for alias in ledger.aliases:
        places[ledger.canonical(alias)] += 1
    # the cost of hiding a count: its size, times the number of places that show it
    weights = {
        name_of(k): float(v * places[k])
        for k, v in ledger.values.items()
        if k in ledger.displayed and k not in suppressed and v >= disclosure.threshold
    }
    found = _cheapest_release(
        system["shown"],
        system["suppressed"],
        (name_of(target), ledger.values[target]),
        weights,
        sums=system["sums"],
        rules=(disclosure.threshold, disclosure.round_to, system["keep_zeros"]),
    )
    by_name = {name_of(k): k for k in ledger.values}
    return [] if found is None else [by_name[n] for n in found]


def _keep_forced_zeros(ledger: Ledger) -> None:
    """Show as 0 the parts of a total shown as 0: they are 0 for anyone who reads it."""
    changed = True
    while changed:
        changed = False
        for total, parts in ledger.sums:
            shown_zero = total in ledger.displayed and ledger.keep_zero.get(total, False)
            if ledger.values[total] == 0 and shown_zero:
                for part in parts:
                    if not ledger.keep_zero.get(part, False):
                        ledger.keep_zero[part] = True
                        changed = True


def protect(ledger: Ledger, disclosure: Disclosure) -> Protection:
    """Suppress small counts, then more, until no suppressed count is recoverable.

    Primary suppression hides every protected count below the threshold (zeros shown
    where they are kept). Then, while the audit finds a suppressed count whose value the
    published numbers determine, the shown counts of least total size whose suppression
    lets it take another value (one integer programme, see
    :func:`~ipsstats.report.audit._cheapest_release`) are suppressed everywhere they
    appear, and the whole report is audited again. A zero that no such choice protects
    (zeros shown elsewhere fix it, as no one outside a window when nobody is excluded from
    it) is shown as 0: every reader can work it out already.
    """
    primary = PRIMARY.format(threshold=disclosure.threshold)
    _keep_forced_zeros(ledger)
    suppressed: dict[Key, str] = {
        key: primary
        for key, value in ledger.values.items()
        if key in ledger.protected
        and value < disclosure.threshold
        and not (value == 0 and ledger.keep_zero.get(key, False))
    }
    audit = _audit(ledger, suppressed, disclosure)
    by_name = {name_of(k): k for k in ledger.values}
    fixed: set[Key] = set()
    while True:
        exposed = [by_name[name] for name in audit.recoverable if by_name[name] not in fixed]
        if not exposed:
            break
        target = exposed[0]
        chosen = _release(ledger, suppressed, disclosure, target)
        if not chosen and ledger.values[target] == 0:
            # zeros shown elsewhere make it 0 for any reader: show it as 0 too
            ledger.keep_zero[target] = True
            del suppressed[target]
            audit = _audit(ledger, suppressed, disclosure)
            continue
        if not chosen:
            fixed.add(target)  # no set of counts protects it: reported by the audit
            continue
        for key in chosen:
            suppressed[key] = SECONDARY
        audit = _audit(ledger, suppressed, disclosure)
    return Protection(disclosure=disclosure, ledger=ledger, suppressed=suppressed, audit=audit)
