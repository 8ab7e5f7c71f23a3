"""The entry point of the ``ipsstats`` command: argument dispatch and one-line errors."""

from __future__ import annotations

import csv
import os
import sys
import warnings
from collections.abc import Sequence

from ipsstats.cli._commands import COMMANDS
from ipsstats.cli._parser import (
    _EXIT_ERROR,
    _EXIT_INTERRUPTED,
    _EXIT_OK,
    _HANDLED,
    _OPTION_WORDING,
    _PROG,
    _parser,
)
from ipsstats.report.render import clean_text

__all__ = ["main"]


def _message(exc: BaseException) -> str:
    """One line describing an error, in the command's own terms."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        text = f"cannot use {os.fspath(exc.filename)!r}: {exc.strerror}"
    elif isinstance(exc, UnicodeError):
        text = f"text that is not valid in the chosen encoding ({exc})"
    elif isinstance(exc, csv.Error):
        text = f"malformed CSV ({exc})"
    else:
        text = str(exc)
    for pattern, replacement in _OPTION_WORDING:
        text = pattern.sub(replacement, text)
    return clean_text(text).strip()


def _silence_stdout() -> None:
    """Point standard output at the null device so that closing it cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (e.g. captured output)
        return


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ipsstats`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; default: ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success; 1 when ``validate --strict`` finds invalid records
        or ``reproduce`` does not match every published value; 2 for a usage error or an
        input that cannot be used, which is described in one line on standard error;
        130 when interrupted.

    See Also
    --------
    ipsstats.equity_report : what ``demo`` and ``report`` run.
    ipsstats.Cohort.from_csv : how ``report`` and ``validate`` read a cohort file.

    Notes
    -----
    Errors of ipsstats (:class:`~ipsstats.errors.IpsStatsError`), of the operating system
    (a missing or unreadable file), of text decoding and of the :mod:`csv` module are
    reported as ``ipsstats: error: <message>`` with no traceback; library messages that
    name a Python argument (``date_format="%d/%m/%Y"``) are reworded to name the option
    (``--date-format "%d/%m/%Y"``). Warnings are printed as ``ipsstats: warning:`` lines
    after the output. Dates given as options are always ISO 8601.

    Examples
    --------
    >>> from ipsstats.cli import main
    >>> main(["--version"])  # doctest: +ELLIPSIS
    ipsstats ...
    0
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else _EXIT_ERROR
    run = COMMANDS[args.command]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            status = run(args)
    except KeyboardInterrupt:
        print(f"{_PROG}: interrupted", file=sys.stderr)
        return _EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (e.g. piped into head)
        _silence_stdout()
        return _EXIT_OK
    except _HANDLED as exc:
        print(f"{_PROG}: error: {_message(exc)}", file=sys.stderr)
        return _EXIT_ERROR
    for item in caught:
        print(f"{_PROG}: warning: {clean_text(item.message)}", file=sys.stderr)
    return status
