"""``python -m ess_geo`` runs the CLI (:func:`ess_geo.cli.run`: exit code of the command, fast exit)."""

from ess_geo.cli import run

run()
