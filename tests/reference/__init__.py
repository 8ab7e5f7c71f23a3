"""Reference checks: each expected number from R, a published paper or another library."""
