"""Run the ``ipsstats`` command as ``python -m ipsstats``."""

from __future__ import annotations

import sys

from ipsstats.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
