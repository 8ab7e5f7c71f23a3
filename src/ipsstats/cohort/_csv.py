"""CSV reading for cohorts: vectorised numpy splitting of the file's bytes.

A file is read as bytes and split by vectorised searches for delimiters, line ends and
quotes; a column's fields are copied out of the bytes only when the column is used
(:class:`TextColumns`). Files the splitter declines (lone carriage returns, quotes that
do not enclose a whole field, records of the wrong width) are read with the standard
library's :mod:`csv` module. Every record keeps its file line number.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import os
import pathlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TextIO

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._arrays import (
    fail,
)
from ipsstats._parallel import Tasks
from ipsstats.calendar import (
    parse_date_strings,
)

__all__ = []

_BOM = b"\xef\xbb\xbf"
_UTF8 = ("utf-8", "utf-8-sig")
#: Bytes searched at a time (the masks and copies stay in cache).
_CHUNK = 1 << 18
#: A typical record's length, to judge from its bytes whether a file is long.
_BYTES_PER_RECORD = 64

# --------------------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------------------


def _read_bytes(
    path: str | os.PathLike[str] | TextIO, encoding: str
) -> tuple[NDArray[np.uint8], str]:
    """Read the file as UTF-8 bytes without a byte-order mark; return them and its name.

    UTF-8 files are read into an array of bytes and only checked (no text object is built);
    files in other encodings are decoded and encoded again as UTF-8.
    """
    if hasattr(path, "read"):
        text = path.read()
        name = str(getattr(path, "name", "csv"))
        if not isinstance(text, str):
            raise fail("path", "be opened in text mode", f"{type(text).__name__} content")
        return _byte_array(text.removeprefix("\ufeff").encode("utf-8", "surrogatepass")), name
    if not isinstance(path, (str, os.PathLike)):
        raise fail(
            "path",
            "be a file path or a text file object",
            f"{type(path).__name__}",
            hint="pass the file name, or io.StringIO(text) for text already read.",
        )
    location = os.fspath(path)
    name = pathlib.Path(location).name
    raw = _read_file(location)
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise fail("encoding", "name a text encoding", repr(encoding)) from None
    with_bom = raw[: len(_BOM)].tobytes() == _BOM
    try:
        if codec in _UTF8:
            data = raw[len(_BOM) :] if with_bom else raw
            if data.size and int(data.max()) >= 0x80:
                str(data.data, "utf-8")  # checks the bytes; the text is not kept
            return data, name
        text = str(raw.data, encoding)
        return _byte_array(text.removeprefix("\ufeff").encode("utf-8", "surrogatepass")), name
    except UnicodeDecodeError as exc:
        offset = len(_BOM) if codec in _UTF8 and with_bom else 0
        raise fail(
            "path",
            "be a CSV text file encoded as UTF-8",
            f"{name!r}, whose byte {exc.start + offset} is not UTF-8",
            hint="save the file as 'CSV UTF-8', or pass encoding=... (e.g. 'cp1252').",
        ) from None


def _read_file(location: str) -> NDArray[np.uint8]:
    """Read a file's bytes straight into an array (no bytes object is built and copied)."""
    with open(location, "rb") as handle:  # noqa: PTH123  # accepts str paths
        size = os.fstat(handle.fileno()).st_size
        buf = np.empty(size, dtype=np.uint8)
        got = (handle.readinto(buf.data) or 0) if size else 0
        rest = handle.read()  # a file that grew, or one whose size is not known (a pipe)
    if rest:
        return np.concatenate([buf[:got], _byte_array(rest)])
    return buf[:got]


def _byte_array(data: bytes | memoryview | NDArray[np.uint8]) -> NDArray[np.uint8]:
    """View bytes as an array of ``uint8`` (no copy)."""
    return data if isinstance(data, np.ndarray) else np.frombuffer(data, dtype=np.uint8)


def _find(buf: NDArray[np.uint8], byte: bytes, start: int = 0) -> int:
    """Where `byte` (one byte) first occurs at or after `start` in `buf`, or -1.

    Searched a chunk at a time with the byte string search, from a copy of each chunk.
    """
    for low in range(start, buf.size, _CHUNK):
        found = buf[low : low + _CHUNK].tobytes().find(byte)
        if found >= 0:
            return low + found
    return -1


def _count(buf: NDArray[np.uint8], code: int, start: int = 0, stop: int | None = None) -> int:
    """How many bytes of ``buf[start:stop]`` equal `code`, counted a chunk at a time."""
    stop = buf.size if stop is None else stop
    return sum(
        int(np.count_nonzero(buf[low : min(low + _CHUNK, stop)] == code))
        for low in range(start, stop, _CHUNK)
    )


def _check_data(data: NDArray[np.uint8], name: str) -> None:
    """Refuse binary and empty files before parsing."""
    if data.size and int(data.min()) == 0:
        raise fail(
            "path",
            "be a CSV text file",
            f"{name!r}, which holds binary data (NUL bytes)",
            hint="export the data as CSV; spreadsheet files (.xlsx) cannot be read directly.",
        )
    if not data.size or (data[:_CHUNK].tobytes().isspace() and data.tobytes().isspace()):
        raise fail(
            "path", "be a CSV file with a header line and records", f"an empty file {name!r}"
        )


# --------------------------------------------------------------------------------------
# Fields located in the bytes, copied out per column on demand
# --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class Fields:
    """Where each field of the records lies in the file's bytes (internal).

    ``buf[starts[i, k]:ends[i, k]]`` is field ``k`` of record ``i``, quotes removed;
    `doubled` flags quoted fields holding doubled quotes, undoubled when copied out.
    Without `starts`, each field starts just after the previous one's separator.
    """

    buf: NDArray[np.uint8]
    starts: NDArray[np.intp] | None
    ends: NDArray[np.intp]
    doubled: NDArray[np.bool_] | None = None
    _column_ends: dict[int, NDArray[np.intp]] = attrs.field(factory=dict, init=False)

    @property
    def n(self) -> int:
        """Number of records."""
        return int(self.ends.shape[0])

    def bounds(self, k: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Where field `k` of each record starts and ends in `buf`."""
        if self.starts is not None:
            return self.starts[:, k], self.ends[:, k]
        ends = self._ends_of(k)
        if k:
            return self._ends_of(k - 1) + 1, ends
        last = self._ends_of(self.ends.shape[1] - 1)
        starts = np.empty_like(last)
        if starts.size:
            starts[0] = 0
            np.add(last[:-1], 1, out=starts[1:])
        return starts, ends

    def _ends_of(self, k: int) -> NDArray[np.intp]:
        """Where field `k` of each record ends, copied out of the (records x fields) matrix.

        Kept, as field ``k + 1`` starts there too: each column of the matrix is read once.
        """
        if k not in self._column_ends:
            self._column_ends[k] = np.ascontiguousarray(self.ends[:, k])
        return self._column_ends[k]

    def column(self, k: int, rows: NDArray[np.intp] | None = None) -> NDArray[np.bytes_]:
        """Copy field `k` of every record (or of `rows`) into a byte-string array."""
        starts, ends = self.bounds(k)
        if rows is not None:
            starts, ends = starts[rows], ends[rows]
        column = _gather(self.buf, starts, ends)
        doubled = self.doubled_quotes(k)
        if doubled is not None and rows is not None:
            doubled = doubled[rows]
        if doubled is not None and doubled.any():
            where = np.flatnonzero(doubled)
            column[where] = np.char.replace(column[where], b'""', b'"')
        return column

    def doubled_quotes(self, k: int) -> NDArray[np.bool_] | None:
        """Which records' field `k` holds doubled quotes (``None``: no field does)."""
        return None if self.doubled is None else self.doubled[:, k]


class TextColumn:
    """One column of a split file, copied out of the bytes when first used (internal).

    Read like a data frame's column: ``to_numpy()`` gives the byte strings (copied once,
    by whichever thread asks first) and `shape` is known without copying, so that the
    column is copied by the task that parses it.
    """

    def __init__(self, fields: Fields, k: int) -> None:
        self._fields = fields
        self._k = k
        self._copied: NDArray[np.bytes_] | None = None

    @property
    def shape(self) -> tuple[int]:
        """One field per record."""
        return (self._fields.n,)

    def to_numpy(self) -> NDArray[np.bytes_]:
        """Return the fields as a fixed-width byte-string array."""
        if self._copied is None:
            self._copied = self._fields.column(self._k)
        return self._copied

    def rows(self, rows: NDArray[np.intp]) -> NDArray[np.bytes_]:
        """Return the fields of some records, as :meth:`to_numpy` gives them."""
        if self._copied is not None:
            return self._copied[rows]
        return self._fields.column(self._k, rows)

    def heads(self, width: int) -> tuple[NDArray[np.bytes_], NDArray[np.intp]]:
        """Copy the `width` bytes at which each field starts (running into what follows).

        Also returns the length of each field in bytes (before doubled quotes are
        undoubled). Fields written verbatim (no doubled quotes) and exactly `width` bytes
        long are read in place from these; see :meth:`verbatim`.
        """
        starts, ends = self._fields.bounds(self._k)
        return _take(self._fields.buf, starts, width), ends - starts

    def verbatim(self, lengths: NDArray[np.intp], width: int) -> NDArray[np.bool_]:
        """Which fields are exactly `width` bytes long, as written (no doubled quotes).

        `lengths` are the fields' lengths (as :meth:`heads` gives them).
        """
        exact: NDArray[np.bool_] = lengths == width
        doubled = self._fields.doubled_quotes(self._k)
        if doubled is not None:
            exact &= ~doubled
        return exact


class TextColumns(Mapping[str, NDArray[np.bytes_]]):
    """The columns of a split file by header, each copied out of the bytes when used.

    Each header maps to fields located in some bytes and the field's position in a
    record: one :class:`Fields` for a whole file split here, one per column when Arrow's
    reader split it.
    """

    def __init__(self, located: Mapping[str, tuple[Fields, int]]) -> None:
        self._located = dict(located)

    @classmethod
    def of(cls, header: list[str], fields: Fields) -> TextColumns:
        """Name the fields of records split into `header`'s columns."""
        return cls({name: (fields, k) for k, name in enumerate(header)})

    def __getitem__(self, name: str) -> NDArray[np.bytes_]:
        fields, k = self._located[name]
        return fields.column(k)

    def deferred(self, name: str) -> TextColumn:
        """Return the column `name`, copied out of the bytes only when first used."""
        fields, k = self._located[name]
        return TextColumn(fields, k)

    def __iter__(self) -> Iterator[str]:
        return iter(self._located)

    def __len__(self) -> int:
        return len(self._located)


def _gather(
    buf: NDArray[np.uint8], starts: NDArray[np.intp], ends: NDArray[np.intp]
) -> NDArray[np.bytes_]:
    """Copy the fields ``buf[starts[i]:ends[i]]`` into a fixed-width byte-string array.

    The bytes are viewed as overlapping strings, one starting at every byte, so each field
    is copied by one fancy index. Fields of one width (dates) or blank are copied at that
    width; others at the width rounded up to whole 8-byte words, and the bytes past each
    field's end (the following fields') are cleared word by word with a mask chosen by the
    field's length. Fields starting within a width of the end are copied from a padded
    tail.
    """
    n = starts.shape[0]
    if n == 0:
        return np.empty(0, dtype="S1")
    lengths = ends - starts
    longest = max(int(lengths.max()), 1)
    filled = np.count_nonzero(lengths)
    if filled == np.count_nonzero(lengths == longest):  # fixed-width fields (dates) or blanks
        out = _take(buf, starts, longest)
        if filled < n:
            out[np.flatnonzero(lengths == 0)] = b""
        return out
    width = -(-longest // 8) * 8
    out = _take(buf, starts, width)
    words = out.view(np.uint64).reshape(n, width // 8)
    words &= _word_masks(width).take(lengths, axis=0)
    return out


def _take(buf: NDArray[np.uint8], starts: NDArray[np.intp], width: int) -> NDArray[np.bytes_]:
    """Copy the `width` bytes from each start as byte strings (zeros past the end)."""
    n = starts.shape[0]
    kind = f"S{width}"
    last = buf.size - width
    if last >= 0 and (n == 0 or int(starts.max()) <= last):
        every = np.ndarray((last + 1,), dtype=kind, buffer=buf, strides=(1,))
        taken: NDArray[np.bytes_] = every[starts]
        return taken
    inside = starts <= last
    out = np.empty(n, dtype=kind)
    if last >= 0:
        every = np.ndarray((last + 1,), dtype=kind, buffer=buf, strides=(1,))
        out[inside] = every[starts[inside]]
    tail = np.flatnonzero(~inside)
    low = int(starts[tail].min())
    padded = np.zeros(buf.size - low + width, dtype=np.uint8)
    padded[: buf.size - low] = buf[low:]
    near = np.ndarray((padded.size - width + 1,), dtype=kind, buffer=padded, strides=(1,))
    out[tail] = near[starts[tail] - low]
    return out


@functools.cache
def _word_masks(width: int) -> NDArray[np.uint64]:
    """For each field length ``0 .. width``, the 8-byte words keeping only its bytes."""
    keep = (np.arange(width) < np.arange(width + 1)[:, None]).astype(np.uint8) * 0xFF
    masks: NDArray[np.uint64] = keep.view(np.uint64)  # byte order follows the bytes
    masks.flags.writeable = False
    return masks


# --------------------------------------------------------------------------------------
# Vectorised splitting
# --------------------------------------------------------------------------------------


def _split_plain_csv(
    data: bytes | NDArray[np.uint8], delimiter: str, name: str
) -> tuple[TextColumns, NDArray[np.int64]] | None:
    """Split a CSV file's UTF-8 bytes without a Python loop per record.

    The records are located with vectorised searches for delimiters, line ends and quotes
    (a delimiter counts when an even number of quotes precedes it); each column is copied
    out as a fixed-width byte-string array when used, with surrounding quotes removed and
    doubled quotes undoubled; blank lines are skipped. Line breaks inside quoted fields
    are kept in the field; both are counted in the line numbers. Returns the columns and
    each record's line number, or ``None`` (use the :mod:`csv` module) for lone carriage
    returns, quotes that do not enclose a whole field, or records whose number of fields
    differs from the header's.
    """
    buf = _byte_array(data)
    found = _header_and_body(buf, delimiter, name)
    if found is None:
        return None
    header, body, start, carriage = found
    quoted = _find(buf, b'"', start) >= 0
    split = _split_bytes(body, header, delimiter, quoting=quoted, carriage=carriage)
    if split is None:
        return None
    fields, first_lines = split
    lines = np.arange(2, fields.n + 2, dtype=np.int64) if first_lines is None else first_lines
    return TextColumns.of(header, fields), lines


def _header_and_body(
    data: bytes | NDArray[np.uint8], delimiter: str, name: str
) -> tuple[list[str], NDArray[np.uint8], int, bool] | None:
    """Find the header, and the records' bytes up to the line end after the last one.

    Returns ``None`` (use the :mod:`csv` module) for an unusual delimiter, a header the
    :mod:`csv` module cannot read on its own line, lone carriage returns, or no records.
    Also returns where the records start in `data`, and whether a carriage return
    follows.
    """
    buf = _byte_array(data)
    first = _find(buf, b"\n")
    if len(delimiter) != 1 or ord(delimiter) > 127 or delimiter == '"' or first < 0:
        return None
    try:
        line = buf[:first].tobytes().decode("utf-8")
        header = [cell.strip() for cell in next(csv.reader([line], strict=True))]
    except (csv.Error, StopIteration, UnicodeDecodeError):
        return None
    _check_header(header, name, delimiter)
    start = first + 1
    carriage = _find(buf, b"\r", start) >= 0
    if carriage:
        rest = buf[start:].tobytes()
        if rest.count(b"\r") != rest.count(b"\r\n"):
            return None
    # Blank lines at the end hold no records: keep the data up to the first line end
    # after the last record (a view, not a copy, when the file ends with a line break).
    stop = buf.size - _trailing_line_ends(buf)
    if stop <= start:
        return None
    final = _find(buf, b"\n", stop)
    if final >= 0:
        return header, buf[start : final + 1], start, carriage
    return header, np.concatenate([buf[start:], _byte_array(b"\n")]), start, carriage


def _trailing_line_ends(buf: NDArray[np.uint8], chunk: int = 4096) -> int:
    """Count the carriage returns and line feeds at the end of `buf`."""
    tail = buf[-chunk:].tobytes()
    kept = len(tail.rstrip(b"\r\n"))
    if kept == 0 and len(tail) < buf.size:  # a long run of line ends: look at it all
        return buf.size - len(buf.tobytes().rstrip(b"\r\n"))
    return len(tail) - kept


Scratch = tuple[NDArray[np.bool_], NDArray[np.bool_]]
ChunkSearch = Callable[[NDArray[np.uint8], Scratch], tuple[NDArray[np.intp], NDArray[Any]]]


def _bytes_equal_to(
    buf: NDArray[np.uint8], first: int, second: int
) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """Positions of the bytes equal to `first` or `second`, and which of them are `first`."""
    return _search(buf, functools.partial(_equal_to_either, (first, second)))


def _bytes_at_most(buf: NDArray[np.uint8], code: int) -> tuple[NDArray[np.intp], NDArray[Any]]:
    """Positions of the bytes at or below `code`, and those bytes."""
    return _search(buf, functools.partial(_at_most, code))


def _equal_to_either(
    codes: tuple[int, int], chunk: NDArray[np.uint8], scratch: Scratch
) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """Find the bytes of a chunk equal to either code; flag those equal to the first."""
    is_first, is_either = scratch[0][: chunk.size], scratch[1][: chunk.size]
    np.equal(chunk, codes[0], out=is_first)
    np.equal(chunk, codes[1], out=is_either)
    is_either |= is_first
    found = np.flatnonzero(is_either)
    return found, is_first[found]


def _at_most(
    code: int, chunk: NDArray[np.uint8], scratch: Scratch
) -> tuple[NDArray[np.intp], NDArray[np.uint8]]:
    """Find the bytes of a chunk at or below `code`; return them too."""
    low = scratch[0][: chunk.size]
    np.less_equal(chunk, code, out=low)
    found = np.flatnonzero(low)
    return found, chunk[found]


def _search(buf: NDArray[np.uint8], search: ChunkSearch) -> tuple[NDArray[np.intp], NDArray[Any]]:
    """Search `buf` a chunk at a time (the masks stay in cache), in one range per thread.

    `search` finds positions in a chunk, with a value for each; returns the positions in
    `buf` and the values, in order.
    """
    with Tasks(buf.size // _BYTES_PER_RECORD) as tasks:
        edges = [buf.size * k // tasks.count for k in range(tasks.count + 1)]
        pending = [
            tasks.start(functools.partial(_search_range, buf, search, start, stop))
            for start, stop in itertools.pairwise(edges)
        ]
        found = [part.result() for part in pending]
    positions = [chunk for chunks, _values in found for chunk in chunks]
    values = [chunk for _chunks, chunk_values in found for chunk in chunk_values]
    return np.concatenate(positions), np.concatenate(values)


def _search_range(
    buf: NDArray[np.uint8], search: ChunkSearch, start: int, stop: int
) -> tuple[list[NDArray[np.intp]], list[NDArray[Any]]]:
    """Search ``buf[start:stop]`` as :func:`_search` does: positions and values by chunk."""
    size = min(_CHUNK, stop - start)
    scratch = (np.empty(size, dtype=bool), np.empty(size, dtype=bool))
    none, no_values = search(buf[start:start], scratch)  # typed, for an empty range
    positions, values = [none], [no_values]
    for low in range(start, stop, _CHUNK):
        found, labels = search(buf[low : min(low + _CHUNK, stop)], scratch)
        found += low
        positions.append(found)
        values.append(labels)
    return positions, values


def _separators(
    buf: NDArray[np.uint8],
    end_code: int,
    delimiter: int,
    *,
    quoting: bool,
    carriage: bool = True,
) -> tuple[NDArray[np.intp], NDArray[np.bool_], NDArray[np.int64] | None, bool, bool]:
    """Positions of the separators outside quotes, which of them end a line, and more.

    Returns (positions, line ends, quotes before each separator or ``None`` when the data
    hold no quote, whether a quoted field holds a line break, whether a carriage return
    occurs). Without quotes one pass finds the delimiters and line ends, and `carriage`
    says whether the data may hold a carriage return (found beforehand); with quotes, the
    bytes at or below the special characters' codes are found first, then a separator
    counts when an even number of quotes precedes it.
    """
    if not quoting:
        bounds, newline = _bytes_equal_to(buf, end_code, delimiter)
        return bounds, newline, None, False, end_code == ord("\n") and carriage
    candidates, found = _bytes_at_most(buf, max(end_code, ord('"'), delimiter))
    separator = np.flatnonzero((found == end_code) | (found == delimiter))
    bounds = candidates[separator]
    newline = found[separator] == end_code
    carriage = bool((found == 13).any())
    is_quote = found == ord('"')
    if not is_quote.any():
        return bounds, newline, None, False, carriage
    small = np.int32 if found.size < np.iinfo(np.int32).max else np.int64
    quotes_before = np.cumsum(is_quote, dtype=small)[separator].astype(np.int64)
    inside = quotes_before % 2 == 1
    embedded = bool((inside & newline).any())
    kept = ~inside
    return bounds[kept], newline[kept], quotes_before[kept], embedded, carriage


def _one_record_per_line(newline: NDArray[np.bool_], width: int) -> bool:
    """Whether the separators read as records of `width` fields, each ending a line."""
    if newline.size == 0 or newline.size % width:
        return False
    rows = newline.size // width
    return int(np.count_nonzero(newline)) == rows and bool(newline[width - 1 :: width].all())


def _split_bytes(
    data: bytes | NDArray[np.uint8],
    header: list[str],
    delimiter: str,
    *,
    terminator: str = "\n",
    quoting: bool = True,
    carriage: bool = True,
) -> tuple[Fields, NDArray[np.int64] | None] | None:
    """Locate the fields of records (each ending in `terminator`), or ``None`` if not simple.

    With ``quoting=False`` quotes are ordinary characters (fields already unquoted, or no
    quote in the data); ``carriage=False`` says the data hold no carriage return. With the
    line feed as `terminator`, blank lines outside quoted fields are skipped. Also
    returns, when a quoted field holds a line break or a blank line was skipped, the file
    line on which each record starts (counting the header as line 1); otherwise ``None``,
    each record being one line.
    """
    width = len(header)
    buf = _byte_array(data)
    bounds, newline, quotes_before, embedded, carriage = _separators(
        buf, ord(terminator), ord(delimiter), quoting=quoting, carriage=carriage
    )
    if bounds.size == 0 or (quotes_before is not None and int(quotes_before[-1]) % 2):
        return None  # unbalanced quotes or no complete record: the csv module reports it
    starts_flat: NDArray[np.intp] | None = None
    blank = None
    lined = _one_record_per_line(newline, width)
    if terminator == "\n" and (width == 1 or not lined):
        starts_flat = np.empty_like(bounds)
        starts_flat[0] = 0
        np.add(bounds[:-1], 1, out=starts_flat[1:])
        blank = _blank_lines(buf, bounds, starts_flat, newline)
        if blank is not None:
            bounds, newline, starts_flat = bounds[~blank], newline[~blank], starts_flat[~blank]
            quotes_before = None if quotes_before is None else quotes_before[~blank]
            lined = _one_record_per_line(newline, width)
    if not lined:
        return None
    ends = raw_ends = bounds.reshape(-1, width)  # raw: before carriage returns are cut
    starts = None if starts_flat is None else starts_flat.reshape(-1, width)
    if carriage and terminator == "\n":
        last = ends[:, -1]
        first_of_last = _starts_of(ends, width - 1) if starts is None else starts[:, -1]
        ends = ends.copy()
        ends[:, -1] -= (last > first_of_last) & (buf[np.maximum(last - 1, 0)] == ord("\r"))
    doubled = None
    if quotes_before is not None:
        per_field = np.diff(quotes_before, prepend=0).reshape(-1, width)
        explicit = _all_starts(raw_ends) if starts is None else starts
        unquoted = _unquote(buf, per_field, explicit, ends)
        if unquoted is None:
            return None
        starts, ends, doubled = unquoted
    first_lines = None
    if embedded or blank is not None:  # lines before each record: every line feed counts
        feeds = np.flatnonzero(buf == ord("\n"))
        explicit = _all_starts(raw_ends) if starts is None else starts
        first_lines = 2 + np.searchsorted(feeds, explicit[:, 0]).astype(np.int64)
    fields = Fields(buf=buf, starts=starts, ends=ends, doubled=doubled)
    return fields, first_lines


def _starts_of(ends: NDArray[np.intp], k: int) -> NDArray[np.intp]:
    """Where field `k` of each record starts, when records follow each other line by line.

    Field ``k`` starts one byte after the end of field ``k - 1``; the first field one byte
    after the previous record's last field (its line end), or at 0.
    """
    if k:
        out: NDArray[np.intp] = ends[:, k - 1] + 1
        return out
    first = np.empty(ends.shape[0], dtype=ends.dtype)
    if first.size:
        first[0] = 0
        np.add(ends[:-1, -1], 1, out=first[1:])
    return first


def _all_starts(ends: NDArray[np.intp]) -> NDArray[np.intp]:
    """Compute where every field starts (see :func:`_starts_of`)."""
    return np.stack([_starts_of(ends, k) for k in range(ends.shape[1])], axis=1)


def _blank_lines(
    buf: NDArray[np.uint8],
    bounds: NDArray[np.intp],
    starts: NDArray[np.intp],
    newline: NDArray[np.bool_],
) -> NDArray[np.bool_] | None:
    """Flag the line ends that close an empty line (nothing, or a lone carriage return).

    A line end closes an empty line when the separator before it is also a line end (or it
    is the first one) and at most a carriage return lies between. Returns ``None`` when
    there is none.
    """
    line_ends = bounds[newline]
    if line_ends.size and line_ends[0] > 1 and (np.diff(line_ends) > 2).all():
        return None  # every line holds at least two bytes: none is empty
    after_line = np.concatenate([[True], newline[:-1]])
    size = bounds - starts
    lone_return = (size == 1) & (buf[np.maximum(bounds - 1, 0)] == ord("\r"))
    blank = newline & after_line & ((size == 0) | lone_return)
    return blank if blank.any() else None


def _unquote(
    buf: NDArray[np.uint8],
    per_field: NDArray[np.int64],
    starts: NDArray[np.intp],
    ends: NDArray[np.intp],
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.bool_]] | None:
    """Drop the quotes around quoted fields; flag fields holding doubled quotes.

    `per_field` counts the quotes in each field. Returns ``None`` when a quote does not
    enclose a whole field (e.g. ``ab"c``), leaving such files to the :mod:`csv` module.
    """
    size = ends - starts
    opens = (size > 0) & (buf[np.minimum(starts, buf.size - 1)] == ord('"'))
    closes = (size > 1) & (buf[np.maximum(ends - 1, 0)] == ord('"'))
    inner = per_field - 2 * opens
    if (opens & ~closes).any() or (inner[~opens] > 0).any() or (inner[opens] % 2).any():
        return None
    return starts + opens, ends - opens, opens & (inner > 0)


_UNIT = "\x1f"  # ASCII unit separator: joins parsed fields for the vectorised splitter
_RECORD = "\x1e"  # ASCII record separator: ends each joined record


def _rejoined_columns(header: list[str], body: list[list[str]]) -> TextColumns | None:
    """Columns of records parsed by the csv module, split without a loop per record.

    The parsed fields are joined with unit and record separators (in C), then split like
    an unquoted file. The records must have the header's width (see :func:`_fit_records`).
    Returns ``None`` when there are none or a field holds one of those separators, so that
    the caller builds columns directly.
    """
    if not body:
        return None
    joined = _RECORD.join(map(_UNIT.join, body)) + _RECORD
    width = len(header)
    if joined.count(_RECORD) != len(body) or joined.count(_UNIT) != len(body) * (width - 1):
        return None
    split = _split_bytes(joined.encode("utf-8"), header, _UNIT, terminator=_RECORD, quoting=False)
    return None if split is None else TextColumns.of(header, split[0])


def _record_lines(body: list[list[str]]) -> NDArray[np.int64]:
    """Find the file line on which each record starts (the header is line 1).

    A record spans one line plus one per line break inside its fields (CR LF, LF or CR,
    as the :mod:`csv` module splits lines); a blank line is an empty record. Counted on
    the joined records, without a loop per record.
    """
    if not body:
        return np.zeros(0, dtype=np.int64)
    buf = np.frombuffer(
        (_RECORD.join(map(_UNIT.join, body)) + _RECORD).encode("utf-8"), dtype=np.uint8
    )
    newline, carriage = buf == ord("\n"), buf == ord("\r")
    pair = np.zeros(buf.size, dtype=bool)
    pair[1:] = newline[1:] & carriage[:-1]
    breaks = np.cumsum(newline.astype(np.int64) + carriage - pair)
    at_end = breaks[np.flatnonzero(buf == ord(_RECORD))]
    if at_end.size != len(body):  # a field holds a record separator: count one by one
        inside = np.array(
            [sum(f.count("\n") + f.count("\r") - f.count("\r\n") for f in r) for r in body],
            dtype=np.int64,
        )
    else:
        inside = np.diff(at_end, prepend=0)
    spans = 1 + inside
    return 2 + np.concatenate([[0], np.cumsum(spans)[:-1]]).astype(np.int64)


def _read_csv(
    text: str, delimiter: str, name: str
) -> tuple[list[str], list[list[str]], NDArray[np.int64]]:
    """Split CSV text into a header, records (blank lines dropped) and their line numbers."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise fail("path", "be a well-formed CSV file", f"{name!r}: {exc}") from None
    header = [cell.strip() for cell in records[0]]
    body = records[1:]
    filled = np.fromiter(map(bool, body), dtype=bool, count=len(body))
    if reader.line_num == len(records):  # one line per record: blank lines are empty records
        lines = np.flatnonzero(filled).astype(np.int64) + 2
    else:
        lines = _record_lines(body)[filled]
    return header, list(itertools.compress(body, filled)), lines


def _check_header(header: list[str], name: str, delimiter: str) -> None:
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|" if sep != delimiter):
        raise fail(
            "path",
            f"be a CSV file with fields separated by {delimiter!r}",
            f"a single column {header[0]!r} in {name!r}",
            hint="pass delimiter=';' (or the separator the file uses).",
        )
    blank = [k + 1 for k, h in enumerate(header) if not h]
    if blank:
        raise fail(
            "path",
            "have a header line naming every column",
            f"an empty name for column {blank[0]} in {name!r}",
            hint="the first line of the file must be a header.",
        )
    seen = [h for k, h in enumerate(header) if h in header[:k]]
    if seen:
        raise fail("path", "have distinct column names", f"{seen[0]!r} twice in {name!r}")
    looks_like_data = (
        ~parse_date_strings(np.array(header, dtype=str))[2]
        & ~(parse_date_strings(np.array(header, dtype=str))[1])
    )
    if looks_like_data.any():
        raise fail(
            "path",
            "start with a header line naming the columns",
            f"a first line that holds data ({header[int(np.argmax(looks_like_data))]!r}) "
            f"in {name!r}",
            hint="add a header line such as 'id,accessed,job_start,discharged'.",
        )


def _fit_records(
    header: list[str], body: list[list[str]]
) -> tuple[list[list[str]], NDArray[np.bool_]]:
    """Flag records whose number of fields differs from the header's; pad or cut them."""
    width = len(header)
    lengths = np.fromiter(map(len, body), dtype=np.int64, count=len(body))
    ragged = lengths != width
    if ragged.any():
        body = list(body)
        for k in np.flatnonzero(ragged).tolist():
            body[k] = (body[k] + [""] * width)[:width]
    return body, ragged


def _csv_columns(header: list[str], body: list[list[str]]) -> dict[str, NDArray[np.str_]]:
    """Turn records of the header's width into text columns."""
    if not body:
        return {h: np.zeros(0, dtype=str) for h in header}
    columns = zip(*body, strict=True)
    return {h: np.array(col, dtype=str) for h, col in zip(header, columns, strict=True)}


@attrs.frozen(kw_only=True, eq=False)
class Table:
    """A CSV file's columns by header, with each record's line and width check (internal)."""

    name: str
    columns: Mapping[str, NDArray[np.generic]]
    lines: NDArray[np.int64]
    ragged: NDArray[np.bool_] | None

    @property
    def n(self) -> int:
        """Number of records."""
        return int(self.lines.shape[0])


def read_table(
    path: str | os.PathLike[str] | TextIO,
    delimiter: str,
    encoding: str,
    *,
    splitter: Callable[[NDArray[np.uint8], str, str], tuple[TextColumns, NDArray[np.int64]] | None]
    | None = None,
) -> Table:
    """Read a CSV file: `splitter` (Arrow's reader), vectorised splitting, else :mod:`csv`.

    Each splitter declines (returns ``None``) files it cannot split exactly like the
    :mod:`csv` module; the next one is tried.
    """
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '\r\n"':
        raise fail(
            "delimiter",
            "be one character other than a quote or a line break",
            repr(delimiter),
            hint="for example delimiter=';' or delimiter='\\t'.",
        )
    if not isinstance(encoding, str):
        raise fail("encoding", "name a text encoding", repr(encoding), hint="e.g. 'cp1252'.")
    data, name = _read_bytes(path, encoding)
    _check_data(data, name)
    fast = None if splitter is None else splitter(data, delimiter, name)
    if fast is None:
        fast = _split_plain_csv(data, delimiter, name)
    if fast is not None:
        columns, lines = fast
        return Table(name=name, columns=columns, lines=lines, ragged=None)
    text = str(data.data, "utf-8", "surrogatepass")
    header, body, lines = _read_csv(text, delimiter, name)
    _check_header(header, name, delimiter)
    body, short_or_long = _fit_records(header, body)
    rejoined = _rejoined_columns(header, body)
    return Table(
        name=name,
        columns=rejoined if rejoined is not None else _csv_columns(header, body),
        lines=lines,
        ragged=short_or_long if short_or_long.any() else None,
    )
