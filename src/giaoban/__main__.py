"""`python -m giaoban` runs the command line."""

from giaoban.cli import main

main()
