"""One spec through load -> schema -> checks (-> model): shared by generation and by the
commands that need the typed model but write no tree (doc, compat)."""
from __future__ import annotations

from typing import Optional, Tuple

from rmgen import checks, loader, schema
from rmgen.diagnostics import Diagnostics


def validated(path: str, diags: Diagnostics, display: Optional[str] = None) -> Optional[loader.Spec]:
    """The loaded spec if it passes every check; None, with diagnostics, if not."""
    mine = Diagnostics()
    spec = loader.load(path, mine, display)
    if spec is not None and schema.validate(spec, mine):
        checks.check(spec, mine)
    elif spec is not None:
        from rmgen import rounds  # only for a spec the schema refused

        rounds.check_valid_parts(spec, mine)  # semantic errors too, in the same run
    diags.extend(mine)
    return None if spec is None or mine.has_errors else spec


def load_model(path: str, diags: Diagnostics, display: Optional[str] = None,
               spec_relpath: str = "") -> Optional[Tuple[loader.Spec, object]]:
    """(spec, model.Device) of a valid spec; None, with diagnostics, if it is invalid."""
    spec = validated(path, diags, display)
    if spec is None:
        return None
    from rmgen import model
    return spec, model.build(spec.data, spec_relpath or (display or path))
