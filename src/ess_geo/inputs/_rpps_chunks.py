"""Parse an RPPS extraction on every core: the file cut at line ends, each piece parsed and filtered apart.

:func:`ess_geo.inputs.rpps_file.read_extraction_table` reads about 400 MB for a real 2 M-line
extraction. pyarrow's streaming CSV reader parses its blocks one after the other, and its
parallel reader does not number malformed lines; so the text is cut here into pieces of
:data:`CHUNK_SIZE` ending at a line end, each piece parsed by pyarrow (which releases the GIL) in
a pool of threads, one per core, and reduced at once to doctors' lines of the requested modes,
fields trimmed. A malformed line's number is the one pyarrow's serial reader gives (it numbers
non-empty lines): its number in the piece plus the non-empty lines of the pieces before, which
pyarrow counts itself (rows read plus rows skipped). The pieces are put back in file order, so the
result, the counts and the dropped-line samples are those of one serial read.
"""

from __future__ import annotations

import codecs
import mmap
import struct
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any

from ess_geo.inputs._arrow import empty_text_table, text_array

__all__ = ["BLOCK_SIZE", "CHUNK_SIZE", "ChunkedRead", "PieceSpec", "read_chunked"]

#: pyarrow's block inside a piece: a line longer than this is refused (« une ligne dépasse 1 Mo »).
BLOCK_SIZE = 1 << 20
#: Bytes per piece handed to a thread (benchmarks/bench_parse_cache.py: 8-16 MiB read fastest on 2 cores).
CHUNK_SIZE = 8 << 20


@dataclass(frozen=True)
class PieceSpec:
    """How every piece of one extraction is parsed and filtered.

    Attributes
    ----------
    header : list of str
        Column names of the file (the checked header, trailing empty field included).
    used : list of str
        Columns kept (the others are not converted).
    profession, mode : str
        Names of the profession and mode-of-practice columns.
    doctor : str
        Profession code kept.
    modes : tuple of str
        ``Code mode exercice`` values kept (empty: all).
    identify : callable
        What a malformed line's sample keeps, from its text.
    refine : callable or None
        Run in the worker on each piece's kept lines: returns ``(table, extra)``, the table kept
        and anything the caller merges afterwards (:attr:`ChunkedRead.extras`, in file order), so
        that the work on lines that needs no other line is shared by the cores.
    settle : callable or None
        Run by the reading thread on each piece's ``(table, extra)`` as it is collected, in file
        order: returns them finished (what ``refine`` left undone, rather than make a parsing
        thread wait for something another thread is still reading).
    """

    header: list[str]
    used: list[str]
    profession: str
    mode: str
    doctor: str
    modes: tuple[str, ...]
    identify: Callable[[str], dict[str, str]]
    refine: Callable[[Any], tuple[Any, Any]] | None = None
    settle: Callable[[Any, Any], tuple[Any, Any]] | None = None


@dataclass
class ChunkedRead:
    """What the pieces of one extraction gave, in file order.

    Attributes
    ----------
    table : pyarrow.Table
        Doctors' lines of the requested modes, the used columns, fields trimmed.
    stats : collections.Counter
        ``lines`` read, ``other professions`` and ``doctors, other modes of practice`` left out.
    invalid : list of tuple
        Malformed lines: ``(line number, fields found, fields expected, identifier sample)``.
    extras : list
        What :attr:`PieceSpec.refine` returned besides each piece's table, in file order.
    """

    table: Any
    stats: Counter = field(default_factory=Counter)
    invalid: list[tuple[int, int, int, dict[str, str]]] = field(default_factory=list)
    extras: list = field(default_factory=list)


@dataclass
class _Piece:
    table: Any
    lines: int
    other_professions: int
    other_modes: int
    numbered: int  # non-empty lines pyarrow numbered in the piece (header included)
    invalid: list[tuple[int, int, int, dict[str, str]]]
    extra: Any = None


class _Buffers:
    """Piece buffers given back once their piece is parsed, and read into again.

    A fresh 8 MiB ``bytes`` per piece (and another to append the end of its last line) made the
    kernel fault in 800 MB of new pages for a 400 MB extraction: a quarter of the read's system
    time. The pool never holds more buffers than pieces in flight. A buffer is an anonymous memory
    map, not a ``bytearray``: the latter is zeroed by the thread that makes it, holding the GIL the
    parsing threads need (5 ms a buffer); a map's pages are faulted in by the read that fills them,
    which releases the GIL.
    """

    def __init__(self) -> None:
        self.free: list[mmap.mmap] = []

    def take(self) -> mmap.mmap:
        """A buffer of :data:`CHUNK_SIZE` bytes: one given back, else a new one."""
        if self.free:
            return self.free.pop()
        private = getattr(mmap, "MAP_PRIVATE", None)  # POSIX: plain private memory, not a shared segment
        return mmap.mmap(-1, CHUNK_SIZE) if private is None else mmap.mmap(-1, CHUNK_SIZE, flags=private | mmap.MAP_ANONYMOUS)

    def give(self, buffer: mmap.mmap | None) -> None:
        """Take back the buffer of a parsed piece (None: a piece that had its own bytes)."""
        if buffer is not None:
            self.free.append(buffer)


def _fill(raw: IO[bytes], view: memoryview) -> int:
    """Read into ``view`` until it is full or the stream ends; the number of bytes read."""
    got = 0
    while got < len(view):
        n = raw.readinto(view[got:])  # type: ignore[attr-defined]
        if not n:
            break
        got += n
    return got


def _stream_pieces(raw: IO[bytes], ascii_compatible: bool, buffers: _Buffers) -> Iterator[tuple[Any, mmap.mmap | None]]:
    """The stream in pieces of about :data:`CHUNK_SIZE` bytes, each ending at a line end (``\\n``), with the
    pooled buffer it is a view of (None: a piece of its own, not to give back)."""
    if not ascii_compatible:  # a forced UTF-16-like encoding: « \\n » bytes are not line ends
        yield raw.read(), None
        return
    tail = b""  # the start of a line the previous piece cut
    while True:
        buffer = buffers.take()
        buffer[:len(tail)] = tail
        filled = len(tail) + _fill(raw, memoryview(buffer)[len(tail):])
        if filled < len(buffer):  # the end of the stream
            if filled:
                yield memoryview(buffer)[:filled], buffer
            else:
                buffers.give(buffer)
            return
        cut = buffer.rfind(b"\n")
        if cut < 0:  # a line longer than a piece (the parser refuses it past 1 MiB): read on to its end
            yield bytes(buffer) + raw.readline(), None
            buffers.give(buffer)
            tail = b""
            continue
        tail = bytes(buffer[cut + 1:])
        yield memoryview(buffer)[:cut + 1], buffer


def _parse_piece(data: Any, first: bool, spec: PieceSpec, encoding: str | None) -> _Piece:
    """One piece parsed by pyarrow (in a worker thread) and reduced to doctors' lines of ``modes``."""
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction
    import pyarrow.csv as pacsv  # deferred: pyarrow.csv only to read an RPPS extraction

    if encoding is not None:  # what pyarrow's own transcoding stream did, in this thread
        data = str(data, encoding).encode("utf-8")
    # pyarrow checks UTF-8 cell by cell (a third of the parse); one check of the whole piece is
    # 4× faster: cells are checked only when it fails, so that the failure is pyarrow's own.
    check_cells = encoding is None and not _valid_utf8(data)
    invalid: list[tuple[int, int, int, dict[str, str]]] = []

    def on_invalid(row) -> str:
        invalid.append((row.number, row.actual_columns, row.expected_columns, spec.identify(row.text)))
        return "skip"

    table = pacsv.read_csv(
        pa.py_buffer(data),
        read_options=pacsv.ReadOptions(block_size=BLOCK_SIZE, use_threads=False, column_names=spec.header,
                                       skip_rows=1 if first else 0),
        parse_options=pacsv.ParseOptions(delimiter="|", quote_char=False, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(include_columns=spec.used,
                                             column_types=dict.fromkeys(spec.used, pa.string()),
                                             check_utf8=check_cells),
    )
    # imported once parsed: the first pieces are parsed (GIL released) while another thread imports it (25 ms)
    import pyarrow.compute as pc  # deferred: pyarrow.compute only to read an RPPS extraction

    n = table.num_rows
    # value sets built from buffers: a Python value given to pyarrow makes it import pandas (see _arrow)
    keep = pc.is_in(pc.utf8_trim_whitespace(table.column(spec.profession)), value_set=text_array((spec.doctor,)))
    n_doc = pc.sum(keep).as_py() or 0
    other_modes = 0
    if spec.modes:
        mode_col = pc.utf8_trim_whitespace(table.column(spec.mode))
        keep = pc.and_(keep, pc.is_in(mode_col, value_set=text_array(spec.modes)))
        other_modes = n_doc - (pc.sum(keep).as_py() or 0)
    kept = table.filter(keep)
    kept = pa.table({c: pc.utf8_trim_whitespace(kept.column(c)) for c in spec.used})
    extra = None
    if spec.refine is not None:
        kept, extra = spec.refine(kept)
    return _Piece(kept, n, n - n_doc, other_modes, n + len(invalid) + (1 if first else 0), invalid, extra)


def _valid_utf8(data: Any) -> bool:
    """Whether ``data`` is valid UTF-8 (pyarrow's vectorised check of one large string)."""
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction

    offsets = pa.py_buffer(struct.pack("<qq", 0, len(data)))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def read_chunked(raw: IO[bytes], spec: PieceSpec, encoding: str, progress: Callable[[int], None] | None) -> ChunkedRead:
    """Doctors' lines of ``modes`` in the extraction ``raw`` (positioned at its start), parsed on every core.

    Parameters
    ----------
    raw : binary file
        The extraction, header line included.
    spec : PieceSpec
        Columns and values kept.
    encoding : str
        ``"utf8"`` (parsed as is) or a Python codec the text is transcoded from.
    progress : callable or None
        Called with the number of lines read after each piece, in file order.

    Returns
    -------
    ChunkedRead
        The lines kept, the counts and the malformed lines, in file order.

    Raises
    ------
    pyarrow.ArrowInvalid, UnicodeDecodeError, OSError
        As a serial read would (the first piece in file order that fails).
    """
    import pyarrow as pa  # deferred: pyarrow only to read an RPPS extraction

    transcode = None if encoding == "utf8" else encoding
    ascii_compatible = transcode is None or "a\n".encode(codecs.lookup(transcode).name) == b"a\n"
    workers = max(1, min(pa.cpu_count(), 8))
    result = ChunkedRead(table=None)
    parts: list = []
    numbered = 0

    def collect(piece: _Piece) -> None:
        nonlocal numbered
        result.stats["lines"] += piece.lines
        result.stats["other professions"] += piece.other_professions
        if spec.modes:
            result.stats["doctors, other modes of practice"] += piece.other_modes
        result.invalid.extend((numbered + line, found, expected, row) for line, found, expected, row in piece.invalid)
        numbered += piece.numbered
        table, extra = spec.settle(piece.table, piece.extra) if spec.settle is not None else (piece.table, piece.extra)
        result.extras.append(extra)
        if table.num_rows:
            parts.append(table)
        if progress is not None:
            progress(piece.lines)

    # read, not memory-mapped: a mapped file truncated while it is read kills the process (SIGBUS);
    # both read 2 M lines in the same time (1.2-1.3 s), pieces in flight bound the memory either way
    buffers = _Buffers()
    pieces = _stream_pieces(raw, ascii_compatible, buffers)
    pool = ThreadPoolExecutor(workers, thread_name_prefix="ess-geo-rpps")
    pending: deque[tuple[Future, mmap.mmap | None]] = deque()

    def finish() -> None:
        future, buffer = pending.popleft()
        collect(future.result())  # the resident memory stays that of the pieces in flight
        buffers.give(buffer)  # parsed: its buffer is read into again

    try:
        for i, (data, buffer) in enumerate(pieces):
            pending.append((pool.submit(_parse_piece, data, i == 0, spec, transcode), buffer))
            del data
            while len(pending) > 2 * workers:
                finish()
        while pending:
            finish()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if parts:
        result.table = pa.concat_tables(parts)
    else:  # what the refinement gives of no line
        empty = empty_text_table(spec.used)
        refined = spec.refine(empty) if spec.refine is not None else (empty, None)
        result.table = spec.settle(*refined)[0] if spec.settle is not None else refined[0]
    return result
