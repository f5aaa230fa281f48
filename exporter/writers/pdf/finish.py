"""The last step of the PDF edition: WeasyPrint's bytes, repaired with pikepdf, written once.

WeasyPrint lays out and writes the PDF; what it gets wrong for extractors and
assistive technology is mended here, on the written file (pikepdf, MPL-2.0),
in one pass: the text layer (:mod:`.textlayer`), for a tagged PDF the
structure tree (:mod:`.structure`), and a PDF/UA claim the content does not
earn (WeasyPrint declares whatever variant it is asked for) is taken back. The file is saved with a /ID computed from
its content, so the same input still gives the same bytes.
"""
from __future__ import annotations

import io
from pathlib import Path


def finish(data: bytes, path: Path, structure=None, withdraw_ua: bool = False) -> None:
    """Mend ``data`` (a PDF WeasyPrint wrote) and save it to ``path``.

    ``structure``: a callable given the open ``pikepdf.Pdf`` to rework its
    structure tree, or None. ``withdraw_ua``: remove the PDF/UA identification
    (``pdfuaid:part``) from the XMP metadata, keeping the rest of it.
    """
    import pikepdf

    from .textlayer import identity_encodings, soft_layout_hyphens

    with pikepdf.open(io.BytesIO(data)) as pdf:
        identity_encodings(pdf)
        soft_layout_hyphens(pdf)
        if structure is not None and "/StructTreeRoot" in pdf.Root:
            structure(pdf)
        if withdraw_ua and "/Metadata" in pdf.Root:
            with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:  # no dates: reproducible
                if "pdfuaid:part" in xmp:
                    del xmp["pdfuaid:part"]
        pdf.save(str(path), deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 fix_metadata_version=False)
