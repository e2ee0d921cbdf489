"""Browser fixtures (`browser`, `page`) for every test under ui/tests."""

from lindung.ui.tests.browser import browser, page

__all__ = ["browser", "page"]
