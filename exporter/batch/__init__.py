"""Books and batches: many articles into one edition, datasets into many, in parallel, beyond one machine.

``options`` declares the settings (shared by the CLI and ``exporter.export``);
``datasets`` streams JSONL/CSV records; ``manifest`` reads ``book.toml``;
``book`` assembles a :class:`~exporter.document.Book` from documents; ``tasks``
is the unit of work; ``engines`` runs tasks (in-process, process pool, Dask);
``resume`` knows what is up to date; ``runner`` ties them into a batch.
Only ``options`` is imported here, so the pipeline can declare options cheaply.
"""
from .options import BATCH_NAMES, BATCH_OPTIONS

__all__ = ["BATCH_OPTIONS", "BATCH_NAMES"]
