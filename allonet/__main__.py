"""``python -m allonet`` runs the command-line interface."""

from allonet.cli import command

command()
