"""`python -m rmgen`: the same as the `rmgen` command."""
import sys

from rmgen.cli import main

sys.exit(main())
