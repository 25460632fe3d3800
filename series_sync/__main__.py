"""``python -m series_sync``: the ``series`` command line."""

from series_sync._cli import main

raise SystemExit(main())
