"""``python -m exporter``: the same as the ``exporter`` command."""
from .launch import main

main()
