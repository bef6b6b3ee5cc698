"""``python -m translit`` runs the CLI."""

from translit.cli import main

main()
