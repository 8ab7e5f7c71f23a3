"""Reference checks: ipsstats against R, published papers and other libraries."""
