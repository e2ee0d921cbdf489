"""What a read may cost: file size, rows, zip-bomb and sheet-extent limits, and how many rows
are looked at or converted at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# progress(rows done, rows in all), called after each chunk of rows
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 300 * 1024 * 1024  # a CSV of max_rows workers is about 240 MB
    max_rows: int = 1_500_000
    max_uncompressed_bytes: int = 2 * 1024**3  # zip bombs (XLSX/ODS are zip files)
    max_compression_ratio: float = 200.0  # per zip member: uncompressed/compressed
    # Members that unpack to less than this are never bombs, whatever their ratio: a real
    # file with one long cell of repeated text compresses 1000x and is harmless to read.
    min_bomb_bytes: int = 32 * 1024 * 1024
    # Rows x columns of a sheet, counted from A1 to its farthest filled cell: calamine builds
    # that whole rectangle in memory (32 bytes a cell), so one stray cell at XFD1048576 would
    # ask for 512 GiB. 40 million is 1.500.000 rows x 26 columns (A-Z), about 1,3 GB.
    max_cells: int = 40_000_000


DEFAULT_LIMITS = Limits()

HEADER_SEARCH_ROWS = 30
CHUNK_ROWS = 50_000  # rows converted at a time; progress is reported after each chunk
# Rows a sheet or CSV may span beyond max_rows before it is refused unread: titles, headers,
# blank rows and the signature block below the list.
ROW_MARGIN = 1_000
