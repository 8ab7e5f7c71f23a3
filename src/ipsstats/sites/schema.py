"""The JSON Schema of a site summary (:meth:`SiteSummary.to_dict`), versioned."""

from __future__ import annotations

from typing import Any

__all__ = ["SUMMARY_FORMAT", "SUMMARY_SCHEMA", "SUMMARY_SCHEMA_VERSION"]

SUMMARY_FORMAT = "ipsstats site summary"
"""The value of a summary file's ``format`` key."""

SUMMARY_SCHEMA_VERSION = "1.0"
"""Version of the summary format described by :data:`SUMMARY_SCHEMA`."""

_COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
_COUNTS: dict[str, Any] = {"type": "array", "items": _COUNT}
_DATE: dict[str, Any] = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_LABEL: dict[str, Any] = {"type": ["string", "number", "boolean"]}
_LABELS: dict[str, Any] = {"type": "array", "items": _LABEL}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": sorted(properties),
        "properties": properties,
        "additionalProperties": False,
    }


def _exits(kinds: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    table = _object(
        {
            "times": {"type": "array", "items": {"type": "number", "minimum": 0}},
            **dict.fromkeys(kinds, _COUNTS),
        }
    )
    table["required"] = [k for k in table["required"] if k not in optional]
    exits = _object(
        {
            "kinds": {"type": "array", "items": {"enum": list(kinds)}},
            "groups": {"type": "array", "items": {**_LABELS, "minItems": 1}},
            "tables": {"type": "array", "items": table},
        }
    )
    return {"anyOf": [exits, {"type": "null"}]}


_OUTCOME = _object(
    {
        "job": _COUNTS,
        "no_job": _COUNTS,
        "not_known": {**_COUNTS, "minItems": 2, "maxItems": 2},
    }
)

SUMMARY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://ipsstats.readthedocs.io/schemas/site-summary-1.0.json",
    "title": "ipsstats site summary",
    "description": (
        "One site's counts for a pooled equity analysis of IPS services: per attribute, the "
        "groups' job outcomes (everyone and the minimum-follow-up window) and exits per "
        "time (time to a first job, in-work support). Lists of counts of the outcome "
        "tables have one entry per group, in the order of 'groups'; exit tables have one "
        "count per time for each kind of exit, one table per group of the duration's "
        "'groups' (null: withheld by disclosure control)."
    ),
    **_object(
        {
            "format": {"const": SUMMARY_FORMAT},
            "schema_version": {"const": SUMMARY_SCHEMA_VERSION},
            "ipsstats_version": {"type": "string"},
            "site": {"type": "string", "minLength": 1},
            "study_end": _DATE,
            "observed_until": _DATE,
            "n": _COUNT,
            "n_after_study_end": {"type": ["integer", "null"], "minimum": 0},
            "window": _object(
                {
                    "min_followup_months": _COUNT,
                    "latest_access": _DATE,
                    "n": _COUNT,
                }
            ),
            "selection": {"type": "array", "items": {"type": "string"}},
            "disclosure": _object(
                {
                    "applied": {"type": "boolean"},
                    "threshold": {"type": ["integer", "null"], "minimum": 2},
                    "time_unit": {"enum": ["day", "month"]},
                }
            ),
            "attributes": {
                "type": "object",
                "additionalProperties": _object(
                    {
                        "levels": _LABELS,
                        "groups": {"type": "array", "items": {**_LABELS, "minItems": 1}},
                        "withheld": _LABELS,
                        "outcome": _object({"all": _OUTCOME, "window": _OUTCOME}),
                        "time_to_job": _exits(("censored", "job", "discharged"), ("discharged",)),
                        "in_work_support": _exits(("censored", "discharged")),
                    }
                ),
            },
        }
    ),
}
"""JSON Schema (draft 2020-12) of a site summary file, :meth:`SiteSummary.to_dict`."""
