"""Factorisation of records through 64-bit keys, without a Python object per record.

The fast paths of the category encoder (:mod:`ipsstats._encoding`) reduce every record to
a 64-bit unsigned key: the characters of a fixed-width text field packed side by side (an
exact key), a hash of them (checked against the text afterwards), or the address of a
Python object (records holding the same object share it). Keys are then factorised:

1. the distinct keys of a sample of the records (the first few thousand and an even spread)
   go into a small multiplicative hash table, ``slot = (key * a) >> (64 - b)``, with the
   multiplier ``a`` chosen so that no two sampled keys share a slot;
2. every record is looked up in the table, a chunk at a time so the work stays in cache
   (long inputs are split between threads, see :func:`ipsstats._parallel.in_parallel`);
3. the few records whose key the sample missed are factorised by sorting their keys.

When the sample already holds many distinct keys (identifiers rather than categories), all
keys are sorted at once (:func:`numpy.unique`). A core module (internal).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ipsstats._parallel import in_parallel

__all__ = [
    "KeyTable",
    "Rows",
    "char_matrix",
    "factorise_few_keys",
    "factorise_keys",
    "first_rows",
    "object_addresses",
    "row_keys",
    "sample_rows",
    "text_keys",
]

#: Rows taken from the start of the records (and again evenly spread) to seed the table.
SAMPLE = 1 << 12
#: Most distinct sampled keys looked up through a table; beyond, all keys are sorted.
TABLE_LIMIT = 1 << 10
#: Records handled at a time, so that temporaries stay in cache.
CHUNK = 1 << 14
#: Odd 64-bit multipliers tried in turn for the table (golden ratio and splitmix constants).
_MULTIPLIERS = (
    0x9E3779B97F4A7C15,
    0xBF58476D1CE4E5B9,
    0x94D049BB133111EB,
    0xD6E8FEB86659FD93,
)
_MAX_TABLE_BITS = 16

Rows = slice | NDArray[np.intp]
"""Which records: a slice, or an array of record positions."""

KeysOf = Callable[[Rows], NDArray[np.uint64]]


def sample_rows(n: int) -> NDArray[np.intp]:
    """Return sorted distinct positions: the first :data:`SAMPLE` records and an even spread."""
    step = max(n // SAMPLE, 1)
    rows: NDArray[np.intp] = np.unique(
        np.concatenate([np.arange(min(n, SAMPLE)), np.arange(0, n, step)])
    ).astype(np.intp)
    return rows


@attrs.frozen(kw_only=True, eq=False)
class KeyTable:
    """A multiplicative hash table of distinct 64-bit keys (internal).

    ``slot = (key * multiplier) >> shift`` is distinct for every stored key; each slot holds
    its key and the key's index, or index ``-1`` when empty. Build with :meth:`build`.
    """

    multiplier: np.uint64
    shift: np.uint64
    slot_keys: NDArray[np.uint64]
    slot_index: NDArray[np.intp]

    @classmethod
    def build(cls, keys: NDArray[np.uint64]) -> KeyTable | None:
        """Find a multiplier and table size without collisions; ``None`` if none is found."""
        size = max(int(keys.size), 1)
        low = max(int(np.ceil(np.log2(size))) + 2, 4)
        for bits in range(low, _MAX_TABLE_BITS + 1):
            shift = np.uint64(64 - bits)
            for constant in _MULTIPLIERS:
                multiplier = np.uint64(constant)
                slots = (keys * multiplier) >> shift
                if np.unique(slots).size != keys.size:
                    continue
                slot_keys = np.zeros(1 << bits, dtype=np.uint64)
                slot_index = np.full(1 << bits, -1, dtype=np.intp)
                slot_keys[slots] = keys
                slot_index[slots] = np.arange(keys.size)
                return cls(
                    multiplier=multiplier,
                    shift=shift,
                    slot_keys=slot_keys,
                    slot_index=slot_index,
                )
        return None

    def lookup(self, keys: NDArray[np.uint64]) -> NDArray[np.intp]:
        """Index of each key in the table, ``-1`` for keys not stored."""
        slots = np.multiply(keys, self.multiplier)
        np.right_shift(slots, self.shift, out=slots)
        where = slots.view(np.int64)  # below 2**16: the same numbers, indexed without a cast
        return np.where(self.slot_keys[where] == keys, self.slot_index[where], -1)


def _sorted_lookup(distinct: NDArray[np.uint64], keys: NDArray[np.uint64]) -> NDArray[np.intp]:
    """Index of each key among sorted distinct keys by binary search, ``-1`` when absent."""
    found = np.minimum(np.searchsorted(distinct, keys), distinct.size - 1).astype(np.intp)
    found[distinct[found] != keys] = -1
    return found


def factorise_keys(keys_of: KeysOf, n: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Codes of `n` records from their keys, and one record holding each code.

    Parameters
    ----------
    keys_of : callable
        Returns the uint64 keys of the records at the given :data:`Rows`.
    n : int
        Number of records.

    Returns
    -------
    codes : ndarray of intp
        ``codes[i] == codes[j]`` exactly when records ``i`` and ``j`` have equal keys; codes
        are ``0 .. k-1`` in no particular order.
    representatives : ndarray of intp
        For each code, the position of a record holding it.
    """
    found = _factorise(keys_of, n, few_only=False)
    if found is None:  # pragma: no cover  # only with few_only=True
        raise RuntimeError("keys were not factorised")
    return found


def factorise_few_keys(
    keys_of: KeysOf, n: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]] | None:
    """As :func:`factorise_keys`, or ``None`` when the sample holds many distinct keys.

    For keys that are cheap to compute but costly to sort compared with another route
    (object addresses: many distinct objects are better hashed by value).
    """
    return _factorise(keys_of, n, few_only=True)


def _factorise(
    keys_of: KeysOf, n: int, *, few_only: bool
) -> tuple[NDArray[np.intp], NDArray[np.intp]] | None:
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    sample = sample_rows(n)
    distinct, first = np.unique(keys_of(sample), return_index=True)
    if distinct.size > TABLE_LIMIT:
        if few_only:
            return None
        distinct, first, inverse = np.unique(
            _all_keys(keys_of, n), return_index=True, return_inverse=True
        )
        return inverse.reshape(-1).astype(np.intp, copy=False), first.astype(np.intp)
    representatives = sample[first]
    table = KeyTable.build(distinct)
    look: Callable[[NDArray[np.uint64]], NDArray[np.intp]] = (
        table.lookup if table is not None else lambda keys: _sorted_lookup(distinct, keys)
    )
    codes = np.empty(n, dtype=np.intp)

    def look_up(start: int, stop: int) -> None:
        for begin in range(start, stop, CHUNK):
            end = min(begin + CHUNK, stop)
            codes[begin:end] = look(keys_of(slice(begin, end)))

    in_parallel(look_up, n, chunk=CHUNK)
    rest = np.flatnonzero(codes < 0)
    if rest.size:
        _more, first_more, inverse = np.unique(
            keys_of(rest), return_index=True, return_inverse=True
        )
        codes[rest] = inverse.reshape(-1) + distinct.size
        representatives = np.concatenate([representatives, rest[first_more]])
    return codes, representatives.astype(np.intp, copy=False)


def _all_keys(keys_of: KeysOf, n: int) -> NDArray[np.uint64]:
    """Compute the keys of every record, a chunk at a time (bounded temporaries)."""
    keys = np.empty(n, dtype=np.uint64)

    def compute(start: int, stop: int) -> None:
        for begin in range(start, stop, CHUNK):
            end = min(begin + CHUNK, stop)
            keys[begin:end] = keys_of(slice(begin, end))

    in_parallel(compute, n, chunk=CHUNK)
    return keys


def first_rows(codes: NDArray[np.intp], width: int) -> NDArray[np.intp]:
    """Position of the first record holding each code ``0 .. width-1``.

    Scans the records a chunk at a time and stops once every code has been seen, which is
    usually within the first chunk.
    """
    first = np.full(width, -1, dtype=np.intp)
    unseen = width
    for start in range(0, codes.size, CHUNK):
        found, where = np.unique(codes[start : start + CHUNK], return_index=True)
        new = first[found] < 0
        first[found[new]] = where[new] + start
        unseen -= int(np.count_nonzero(new))
        if not unseen:
            break
    return first


def char_matrix(array: NDArray[Any]) -> NDArray[Any]:
    """View a 1-D ``S``/``<U`` array as a (records x characters) matrix, padded with zeros."""
    kind = array.dtype.kind
    size = 1 if kind == "S" else 4
    width = array.dtype.itemsize // size
    fixed = np.ascontiguousarray(array, dtype=f"{'S' if kind == 'S' else '<U'}{max(width, 1)}")
    if width == 0:
        return np.zeros((array.shape[0], 0), dtype=np.uint8)
    return fixed.view(np.uint8 if kind == "S" else np.uint32).reshape(array.shape[0], width)


def text_keys(values: NDArray[Any]) -> tuple[NDArray[np.uint64], bool]:
    """Return the 64-bit key of every entry of a 1-D ``S``/``<U`` array (see :func:`row_keys`).

    Also returns whether the keys are exact (equal keys mean equal texts) rather than hashes.
    """
    keys_of, exact = row_keys(char_matrix(values))
    return keys_of(slice(None)), exact


def row_keys(matrix: NDArray[Any]) -> tuple[KeysOf, bool]:
    """Key function of the rows of a character matrix, and whether keys are exact.

    Parameters
    ----------
    matrix : ndarray of uint8 or uint32, shape (n, w)
        One row per record: its bytes (``S`` arrays) or code points (``<U`` arrays), padded
        with zeros.

    Returns
    -------
    keys_of : callable
        The 64-bit key of the rows asked for.
    exact : bool
        ``True`` when the characters are packed into the key (equal keys mean equal rows);
        ``False`` when the key is a hash, so that equal keys must be checked.
    """
    width = matrix.shape[1]
    if width == 0:
        return (lambda rows: np.zeros(matrix[rows].shape[0], dtype=np.uint64)), True
    if matrix.dtype == np.uint8:
        bits = 8
    else:
        top = int(matrix.max()) if matrix.size else 0
        bits = 8 if top < 1 << 8 else 16 if top < 1 << 16 else 32
    if width * bits <= 64:
        return _packer(matrix, bits), True
    return _hasher(matrix), False


def _packer(matrix: NDArray[Any], bits: int) -> KeysOf:
    """Exact keys: the row's characters, `bits` bits each, packed into 64 bits."""
    width = matrix.shape[1]

    def keys_of(rows: Rows) -> NDArray[np.uint64]:
        part = matrix[rows]
        key = part[:, 0].astype(np.uint64)
        shifted = np.empty_like(key)
        for k in range(1, width):
            np.left_shift(part[:, k], np.uint64(bits * k), out=shifted, dtype=np.uint64)
            np.bitwise_or(key, shifted, out=key)
        return key

    return keys_of


def _hasher(matrix: NDArray[Any]) -> KeysOf:
    """Hash keys: a polynomial hash of the row's characters modulo 2**64 (FNV prime)."""
    width = matrix.shape[1]
    prime = np.uint64(0x100000001B3)

    def keys_of(rows: Rows) -> NDArray[np.uint64]:
        part = matrix[rows]
        key = part[:, 0].astype(np.uint64)
        for k in range(1, width):
            key *= prime
            key += part[:, k]
        return key

    return keys_of


def object_addresses(array: NDArray[np.object_]) -> KeysOf:
    """Key function of the records of a C-contiguous 1-D object array: object addresses.

    Records holding the same Python object have the same address. The addresses are read
    through a view of the array's pointer buffer; they are only compared, never followed,
    and `array` (which holds the references) outlives the view inside the key function.
    """
    if array.ndim != 1 or not array.flags.c_contiguous:
        raise ValueError("object_addresses needs a C-contiguous 1-D object array")
    n = array.shape[0]
    if n == 0:
        return lambda _rows: np.zeros(0, dtype=np.uint64)
    buffer = (ctypes.c_size_t * n).from_address(array.ctypes.data)
    addresses = np.ctypeslib.as_array(buffer)
    addresses.flags.writeable = False

    def keys_of(rows: Rows) -> NDArray[np.uint64]:
        _ = array  # keep the objects (and so their addresses) alive with the view
        return addresses[rows].astype(np.uint64, copy=False)

    return keys_of
