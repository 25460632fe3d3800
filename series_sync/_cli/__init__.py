"""The ``series`` command line (design §7): every endpoint of the API from the shell.

Hand-written, unlike the generated wrappers beside it: ``_parser`` (the
argparse tree, standard library only), ``_convert`` (WHEN, DAY, role SPEC),
``_commands`` (one SDK call per command), ``_output`` (JSON, JSON Lines,
tables) and ``_main`` (key, logging, exit statuses). The console script
``series`` and ``python -m series_sync`` both run :func:`main`.
"""

from ._main import main

__all__ = ["main"]
