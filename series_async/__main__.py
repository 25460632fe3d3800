"""``python -m series_async`` runs the demo against the embedded emulator."""

from series_async.testing.demo import main

raise SystemExit(main())
