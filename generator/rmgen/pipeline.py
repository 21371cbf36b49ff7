"""One spec through load -> schema -> checks -> model, for the commands that need the
typed model but write no tree (doc, compat)."""
from __future__ import annotations

from typing import Optional, Tuple

from rmgen import checks, loader, rounds, schema
from rmgen.diagnostics import Diagnostics


def load_model(path: str, diags: Diagnostics, display: Optional[str] = None,
               spec_relpath: str = "") -> Optional[Tuple[loader.Spec, object]]:
    """(spec, model.Device) of a valid spec; None, with diagnostics, if it is invalid."""
    mine = Diagnostics()
    spec = loader.load(path, mine, display)
    if spec is not None and schema.validate(spec, mine):
        checks.check(spec, mine)
    elif spec is not None:
        rounds.check_valid_parts(spec, mine)
    diags.extend(mine)
    if spec is None or mine.has_errors:
        return None
    from rmgen import model
    return spec, model.build(spec.data, spec_relpath or (display or path))
