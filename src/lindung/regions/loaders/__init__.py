"""Loading the wilayah tree, boundaries and population into the database.

Each loader validates the whole input first, then writes in one transaction: a bad file changes
nothing. Messages are for the person at the command line, in the active language (Indonesian by
default), and name the file, line or feature, and what was expected.

Modules: `tree` (the wilayah tree), `boundaries` (GeoJSON), `population` (CSV), `files` (reading
files, `LoadError`), `database` (code look-ups in chunks, the audit event of a load).
"""

from lindung.regions.loaders.boundaries import (
    BoundaryLoadResult,
    BoundaryRow,
    load_boundaries,
    read_boundaries,
)
from lindung.regions.loaders.database import CODES_PER_QUERY
from lindung.regions.loaders.files import (
    LISTED_PROBLEMS,
    LoadError,
    read_csv,
    read_csv_rows,
    read_text,
)
from lindung.regions.loaders.population import (
    MAX_COUNT,
    YEARS,
    PopulationLoadResult,
    PopulationRow,
    load_population,
    read_population,
)
from lindung.regions.loaders.tree import TREE_FILES, TreeLoadResult, load_tree, read_tree

__all__ = [
    "CODES_PER_QUERY",
    "LISTED_PROBLEMS",
    "MAX_COUNT",
    "TREE_FILES",
    "YEARS",
    "BoundaryLoadResult",
    "BoundaryRow",
    "LoadError",
    "PopulationLoadResult",
    "PopulationRow",
    "TreeLoadResult",
    "load_boundaries",
    "load_population",
    "load_tree",
    "read_boundaries",
    "read_csv",
    "read_csv_rows",
    "read_population",
    "read_text",
    "read_tree",
]
