"""Reference checks: tests whose expected numbers come from outside ipsstats."""
