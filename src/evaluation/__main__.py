"""``python -m evaluation`` runs the command line."""

from evaluation.cli import main

main()
