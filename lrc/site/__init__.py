"""The public disclosure site (公示网站): static pages built from publications' public content."""

from lrc.site.build import SiteSummary, build_site
from lrc.site.collect import SiteError

__all__ = ["SiteError", "SiteSummary", "build_site"]
