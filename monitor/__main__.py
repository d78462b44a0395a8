"""``python -m monitor`` runs the newswatch command."""

from monitor.cli import main

main()
