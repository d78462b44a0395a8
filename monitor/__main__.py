"""``python -m monitor`` runs the newswatch command."""

from monitor.cli.main import main

main()
