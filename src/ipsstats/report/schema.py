"""The JSON Schema of :meth:`EquityReport.to_dict`, versioned by ``schema_version``."""

from __future__ import annotations

from typing import Any

from ipsstats.categorical import PVALUE_ADJUSTMENTS
from ipsstats.equity import ACCESS_METHODS, MEASURES, MISSING_GROUP_RULES, OVERDISPERSION

__all__ = ["REPORT_SCHEMA", "REPORT_SCHEMA_VERSION"]

REPORT_SCHEMA_VERSION = "2.2"
"""Version of the JSON form of :class:`EquityReport` described by :data:`REPORT_SCHEMA`."""


# --------------------------------------------------------------------------------------
# JSON schema of EquityReport.to_dict()
# --------------------------------------------------------------------------------------

_NUMBER_OR_NULL: dict[str, Any] = {"type": ["number", "null"]}
_INT = {"type": "integer", "minimum": 0}
# A count: null where disclosure control suppresses it (the reason is under "suppressed").
_COUNT: dict[str, Any] = {"type": ["integer", "null"], "minimum": 0}
_SHARE: dict[str, Any] = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
# Field name to reason, for every value withheld under disclosure control.
_SUPPRESSED: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}}
_LABEL: dict[str, Any] = {"type": ["string", "number", "boolean", "null"]}
_STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}


def _object(
    properties: dict[str, Any], *, extra: bool = True, protected: bool = True
) -> dict[str, Any]:
    """Return the schema of an object requiring `properties` (``suppressed`` optional)."""
    optional = {"suppressed": _SUPPRESSED} if protected else {}
    return {
        "type": "object",
        "required": sorted(properties),
        "properties": {**properties, **optional},
        "additionalProperties": extra,
    }


def _nullable(ref: str) -> dict[str, Any]:
    return {"anyOf": [{"$ref": ref}, {"type": "null"}]}


def _by_attribute(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": schema}


_DEFS: dict[str, Any] = {
    "estimate": _object(
        {
            "value": _NUMBER_OR_NULL,
            "lower": _NUMBER_OR_NULL,
            "upper": _NUMBER_OR_NULL,
            "confidence_level": _NUMBER_OR_NULL,
            "method": {"type": "string"},
            "std_err": _NUMBER_OR_NULL,
            "note": {"type": "string"},
        }
    ),
    "test": _object(
        {
            "statistic": _NUMBER_OR_NULL,
            "pvalue": {
                "anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "null"}]
            },
            "dof": _NUMBER_OR_NULL,
            "method": {"type": "string"},
            "n": _COUNT,
            "n_excluded": _COUNT,
            "exclusions": {"type": "object", "additionalProperties": _COUNT},
            "caveats": _STRINGS,
            "details": {"type": "object"},
        }
    ),
    "reported_test": _object(
        {
            "label": {"type": "string"},
            "result": {"$ref": "#/$defs/test"},
            "adjusted_pvalue": {"type": "number", "minimum": 0, "maximum": 1},
            "adjust": {"type": "string"},
            "min_expected": _NUMBER_OR_NULL,
            "small_expected": {"type": "boolean"},
            "asymptotic": _nullable("#/$defs/test"),
            "exact": _nullable("#/$defs/test"),
        }
    ),
    "access_group": _object(
        {
            "group": _LABEL,
            "ips_n": _COUNT,
            "ips_share": _SHARE,
            "eligible_n": _COUNT,
            "eligible_share": _SHARE,
            "reach": _nullable("#/$defs/estimate"),
            "representation_ratio": _nullable("#/$defs/estimate"),
            "adjusted_residual": _NUMBER_OR_NULL,
            # null under disclosure control when a count it is derived from is suppressed
            "flag": {"enum": ["over", "under", "none", None]},
        }
    ),
    "access": _object(
        {
            "name": {"type": ["string", "null"]},
            "method": {"enum": list(ACCESS_METHODS)},
            "missing": {"enum": list(MISSING_GROUP_RULES)},
            "confidence_level": {"type": "number"},
            "groups": {"type": "array", "items": {"$ref": "#/$defs/access_group"}},
            "test": {"$ref": "#/$defs/test"},
            "ips_n": _COUNT,
            "eligible_n": _COUNT,
            "ips_missing": _COUNT,
            "eligible_missing": _COUNT,
            "ips_missing_share": _NUMBER_OR_NULL,
            "eligible_missing_share": _NUMBER_OR_NULL,
            "missing_reach": _nullable("#/$defs/estimate"),
            "overall_reach": _nullable("#/$defs/estimate"),
            "caveats": _STRINGS,
            "sensitivity": _nullable("#/$defs/access"),
        }
    ),
    "outcome_group": _object(
        {
            "group": _LABEL,
            "n": _COUNT,
            "jobs": _COUNT,
            "rate": _nullable("#/$defs/estimate"),
            "rate_ratio": _nullable("#/$defs/estimate"),
            "rate_difference": _nullable("#/$defs/estimate"),
        }
    ),
    "outcome": _object(
        {
            "name": {"type": "string"},
            "window": {"type": "string"},
            "study_end": {"type": ["string", "null"], "format": "date"},
            "min_followup_months": {"type": ["integer", "null"]},
            "reference": _LABEL,
            "confidence_level": {"type": "number"},
            "adjust": {"enum": list(PVALUE_ADJUSTMENTS)},
            "n": _COUNT,
            "n_missing": _COUNT,
            "n_window_excluded": _COUNT,
            "groups": {"type": "array", "items": {"$ref": "#/$defs/outcome_group"}},
            "overall": _nullable("#/$defs/reported_test"),
            "cramers_v": _NUMBER_OR_NULL,
            "stratum_tests": {"type": "array", "items": {"$ref": "#/$defs/reported_test"}},
            "cmh_tests": {"type": "array", "items": {"$ref": "#/$defs/reported_test"}},
            "caveats": _STRINGS,
        }
    ),
    "landmark": _object(
        {
            "months": {"type": "number"},
            "days": {"type": "number"},
            "remaining": {"$ref": "#/$defs/estimate"},
            "incidence": _nullable("#/$defs/estimate"),
        }
    ),
    "duration_group": _object(
        {
            "group": _LABEL,
            "n": _COUNT,
            "n_events": _COUNT,
            "median": _nullable("#/$defs/estimate"),
            "naive_median": _NUMBER_OR_NULL,
            "naive_median_label": {"type": "string"},
            "landmarks": {"type": "array", "items": {"$ref": "#/$defs/landmark"}},
        }
    ),
    "duration": _object(
        {
            "name": {"type": "string"},
            "measure": {"enum": list(MEASURES)},
            "unit": {"const": "days"},
            "confidence_level": {"type": "number"},
            "landmark_months": {"type": "array", "items": {"type": "number"}},
            "study_end": {"type": "string", "format": "date"},
            "n": _COUNT,
            "n_missing": _COUNT,
            "n_window_excluded": _COUNT,
            "groups": {"type": "array", "items": {"$ref": "#/$defs/duration_group"}},
            "logrank": _nullable("#/$defs/test"),
            "gray": _nullable("#/$defs/test"),
            "caveats": _STRINGS,
        }
    ),
    # schema 2.2: the sections of equity_report(standardise=..., by_service=...)
    "ratio_group": _object(
        {
            "group": _LABEL,
            "expected": _NUMBER_OR_NULL,
            "ratio": _nullable("#/$defs/estimate"),
            "crude_ratio": _nullable("#/$defs/estimate"),
            "flag": {"enum": ["over", "under", "none", None]},
        }
    ),
    "standardised": _object(
        {
            "strata": _STRINGS,
            "access": _by_attribute(
                _object(
                    {
                        "method": {"type": "string"},
                        "confidence_level": {"type": "number"},
                        "ips_n": _COUNT,
                        "eligible_n": _COUNT,
                        "groups": {"type": "array", "items": {"$ref": "#/$defs/ratio_group"}},
                        "caveats": _STRINGS,
                    }
                )
            ),
            "outcomes": _by_attribute(
                {
                    "anyOf": [
                        _object(
                            {
                                "window": {"type": "string"},
                                "confidence_level": {"type": "number"},
                                "n": _COUNT,
                                "jobs": _COUNT,
                                "groups": {
                                    "type": "array",
                                    "items": {"$ref": "#/$defs/ratio_group"},
                                },
                                # Mantel-Haenszel comparisons; null under disclosure control
                                "comparison": {"type": ["object", "null"]},
                            }
                        ),
                        {"type": "null"},
                    ]
                }
            ),
        },
        protected=False,
    ),
    "funnel_unit": _object(
        {
            "unit": _LABEL,
            "n": _COUNT,
            "jobs": _COUNT,
            "rate": _NUMBER_OR_NULL,
            "lower": {"type": ["array", "null"], "items": {"type": "number"}},
            "upper": {"type": ["array", "null"], "items": {"type": "number"}},
            "flag": {"enum": ["above", "below", "within", None]},
            "flag_level": _NUMBER_OR_NULL,
        }
    ),
    "service_funnel": _object(
        {
            "by": {"type": "string"},
            "kind": {"type": "string"},
            "confidence_levels": {"type": "array", "items": {"type": "number"}},
            "overdispersion": {"enum": list(OVERDISPERSION)},
            "method": {"type": "string"},
            "target": _NUMBER_OR_NULL,
            "n": _COUNT,
            "jobs": _COUNT,
            "units": {"type": "array", "items": {"$ref": "#/$defs/funnel_unit"}},
            "caveats": _STRINGS,
        }
    ),
}

# Fields added in schema 2.2, optional (a document without them keeps the 2.1 form): the
# report's options and its standardised and funnel sections.
_OPTIONAL_OPTIONS: dict[str, Any] = {
    "standardise": {"anyOf": [_STRINGS, {"type": "null"}]},
    "by_service": {"type": ["string", "null"]},
    "funnel_overdispersion": {"enum": list(OVERDISPERSION)},
}
_OPTIONAL_SECTIONS: dict[str, Any] = {
    "standardised": _nullable("#/$defs/standardised"),
    "service_funnel": _nullable("#/$defs/service_funnel"),
}

REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": f"urn:ipsstats:equity-report:{REPORT_SCHEMA_VERSION}",
    "title": "ipsstats equity report",
    "description": (
        "The JSON form of ipsstats.EquityReport (EquityReport.to_dict() / to_json()). "
        "Numbers that are undefined or not finite are null. Under disclosure control "
        "(disclosure.applied) counts are as published, rounded or null where suppressed, "
        "with the reason in the enclosing object's 'suppressed' mapping, and shares, rates, "
        "ratios and intervals are computed from the published counts "
        "(disclosure.derived_from), unless disclosure.unsuppressed_included says this is an "
        "unsuppressed audit copy."
    ),
    "schema_version": REPORT_SCHEMA_VERSION,
    "$defs": _DEFS,
    **_object(
        {
            "schema_version": {"const": REPORT_SCHEMA_VERSION},
            "ipsstats_version": {"type": "string"},
            "title": {"type": "string"},
            "inputs": _object(
                {
                    "source": {"type": "string"},
                    "rows_read": _COUNT,
                    "rows_valid": _COUNT,
                    "rows_excluded": _COUNT,
                    "people": _COUNT,
                    "observed_until": {"type": "string"},
                    "eligible": _by_attribute(
                        _object({"total": _COUNT, "n": _COUNT, "n_missing": _COUNT})
                    ),
                },
                extra=False,
            ),
            "options": _object(
                {
                    "study_end": {"type": "string"},
                    "min_followup_months": _INT,
                    "by": _STRINGS,
                    "confidence_level": {"type": "number"},
                    "significance_level": {"type": "number"},
                    "adjust": {"enum": list(PVALUE_ADJUSTMENTS)},
                    "access_method": {"enum": list(ACCESS_METHODS)},
                    "missing": {"enum": list(MISSING_GROUP_RULES)},
                    "landmarks_months": {"type": "array", "items": {"type": "number"}},
                    "rng": {"type": "integer"},
                    # since 2.2: the unit of the durations shown in tables and figures
                    "time_unit": {"enum": ["months", "days"]},
                },
                extra=False,
                protected=False,
            ),
            "methods": _STRINGS,
            "seeds": {"type": "object", "additionalProperties": {"type": ["integer", "null"]}},
            "completeness": _object(
                {
                    "validation": {"type": "object"},
                    "selection_steps": {"type": "array", "items": {"type": "object"}},
                    "missing_by_attribute": _by_attribute(
                        _object({"n_missing": _COUNT, "share": _NUMBER_OR_NULL})
                    ),
                },
                extra=False,
                protected=False,
            ),
            "access": _by_attribute({"$ref": "#/$defs/access"}),
            "outcome": _by_attribute(
                _object(
                    {
                        "all": _nullable("#/$defs/outcome"),
                        "window": _nullable("#/$defs/outcome"),
                    },
                    extra=False,
                    protected=False,
                )
            ),
            "durations": _by_attribute(
                _object(
                    {m: _nullable("#/$defs/duration") for m in MEASURES},
                    extra=False,
                    protected=False,
                )
            ),
            "summary": _STRINGS,
            "caveats": _STRINGS,
            # since 2.2: the technical reason behind each caveat (caveats are for readers)
            "caveat_details": _STRINGS,
            # since 2.2: the headline answers with their traffic-light judgements
            "headline": {
                "type": "array",
                "items": _object(
                    {
                        "topic": {"type": "string"},
                        "judgement": {
                            "enum": ["red", "amber", "green", "not assessed", "for information"]
                        },
                        "sentence": {"type": "string"},
                    },
                    extra=False,
                    protected=False,
                ),
            },
            # since 2.2: where the data came from and when the report was made
            "provenance": _object(
                {
                    "service": {"type": ["string", "null"]},
                    "source": {"type": ["string", "null"]},
                    "source_sha256": {"type": ["string", "null"]},
                    "observed_until": {"type": "string"},
                    "study_end": {"type": "string"},
                    "ipsstats_version": {"type": "string"},
                    "generated_at": {"type": ["string", "null"]},
                },
                extra=False,
                protected=False,
            ),
            "disclosure": _object(
                {
                    "applied": {"type": "boolean"},
                    "unsuppressed_included": {"type": "boolean"},
                    "threshold": {"type": ["integer", "null"]},
                    "round_to": {"type": ["integer", "null"]},
                    # what shares, rates, ratios and intervals are computed from
                    "derived_from": {"enum": ["published counts", "exact counts"]},
                    # the recoverability audit of the published counts (null: none applied)
                    "audit": {
                        "anyOf": [
                            _object(
                                {
                                    "method": {"type": "string"},
                                    "n_suppressed": _INT,
                                    "n_recoverable": _INT,
                                },
                                extra=False,
                                protected=False,
                            ),
                            {"type": "null"},
                        ]
                    },
                    "note": {"type": "string"},
                },
                extra=False,
                protected=False,
            ),
        },
        extra=False,
        protected=False,
    ),
}
"""JSON Schema (draft 2020-12) of :meth:`EquityReport.to_dict`; see ``schema_version``."""

REPORT_SCHEMA["properties"].update(_OPTIONAL_SECTIONS)
REPORT_SCHEMA["properties"]["options"]["properties"].update(_OPTIONAL_OPTIONS)
