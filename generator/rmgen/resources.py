"""Finding rmgen's data directories (templates/, schemas/, qnxhost/).

In an installed wheel they sit inside the package (rmgen/templates, ...); in a source
checkout they sit at the top of the repository, two levels above this file.
"""
from __future__ import annotations

from pathlib import Path


def data_dir(name: str) -> Path:
    """The directory `name`: `<package>/name` if it exists, else `<repo>/name`."""
    here = Path(__file__).resolve().parent
    inside = here / name
    return inside if inside.is_dir() else here.parent.parent / name
