"""WeasyPrint's only door to the outside: a URL fetcher that reads through the resource policy."""
from __future__ import annotations

from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..errors import ResourceDenied
from ..resources import ResourcePolicy, ResourceUnavailable


class PolicyFetcher(URLFetcher):
    """Serve WeasyPrint's requests from the policy; ``trusted`` folders (theme, fonts) are read directly."""

    def __init__(self, policy: ResourcePolicy, trusted: tuple[Path, ...] = ()) -> None:
        super().__init__()
        self.policy = policy
        self.trusted = tuple(p.resolve() for p in trusted)

    def fetch(self, url, headers=None):  # noqa: D401 - WeasyPrint API
        if url.startswith("file://") and self.trusted:
            from urllib.parse import unquote, urlsplit

            path = Path(unquote(urlsplit(url).path)).resolve()
            if any(root in path.parents for root in self.trusted) and path.is_file():
                return URLFetcherResponse(url, body=path.read_bytes())
        try:
            resource = self.policy.fetch(url)
        except (ResourceDenied, ResourceUnavailable) as exc:
            raise ValueError(f"not fetched: {exc}") from None
        return URLFetcherResponse(url, body=resource.data, headers={"Content-Type": resource.media_type})
