"""Images inside the EPUB: each distinct image once, converted and scaled, under a stable name."""
from __future__ import annotations

from ebooklib import epub

from ...images import PreparedImage, prepare
from ...resources import ResourcePolicy


class ImageEmbedder:
    """Adds each distinct image once, under a stable name, and says where it went."""

    def __init__(self, eb: epub.EpubBook, images: list[PreparedImage]) -> None:
        self.eb = eb
        self.images = images  #: every image embedded, in order (the accessibility metadata reads them)
        self.by_source: dict[tuple[str | None, str], str | None] = {}
        self.by_content: dict[bytes, str] = {}

    def embed(self, policy: ResourcePolicy, src: str) -> str | None:
        key = (str(policy.root), src)
        if key not in self.by_source:
            self.by_source[key] = self._add(policy, src)
        return self.by_source[key]

    def _add(self, policy: ResourcePolicy, src: str) -> str | None:
        resource = policy.try_fetch(src)
        if resource is None:
            return None
        image = prepare(resource)
        if image is None:
            return None
        if image.data in self.by_content:
            return self.by_content[image.data]
        n = len(self.by_content) + 1
        name = f"images/image-{n}.{image.extension}"
        self.eb.add_item(epub.EpubItem(uid=f"image{n}", file_name=name, media_type=image.media_type,
                                       content=image.data))
        self.images.append(image)
        self.by_content[image.data] = "../" + name
        return "../" + name
