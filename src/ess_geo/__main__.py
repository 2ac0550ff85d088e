"""``python -m ess_geo`` runs the CLI."""

from ess_geo.cli import main

raise SystemExit(main())
