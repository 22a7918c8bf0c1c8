"""`python -m reachlint`: the same command line as the `reachlint` script."""

from reachlint.commands.cli import main

if __name__ == "__main__":
    main()
