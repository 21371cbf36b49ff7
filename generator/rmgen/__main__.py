"""`python -m rmgen`: the same as the `rmgen` command."""
from rmgen.cli import run

if __name__ == "__main__":
    run()
