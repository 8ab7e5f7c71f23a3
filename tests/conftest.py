"""Shared pytest configuration: hypothesis profiles.

Choose a profile with ``pytest --hypothesis-profile=ci`` (the CI does). ``dev`` is the
default: few examples, for a fast edit-test loop.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("dev")
