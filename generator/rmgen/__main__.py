"""`python -m rmgen`: the same as the `rmgen` command."""
from rmgen.cli import run

run()
