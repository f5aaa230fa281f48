"""``python -m exporter``: the same as the ``exporter`` command."""
from .cli import main

main()
