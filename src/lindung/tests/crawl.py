"""Walking the site as a user: which links to follow, and English words left on Indonesian pages.

Shared by the Django-client crawl (`test_crawl.py`: every link answers without a 4xx/5xx) and
the browser crawl (`test_browser_crawl.py`: also console errors and English words).
"""

import re
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from lindung.accounts.tests.factories import UserFactory
from lindung.roles import Role

PAGE_BUDGET = 60  # pages opened per role
QUERY_VARIANTS = 3  # links to one path with different query strings followed at most
# Followed for the status only: files, JSON.
DOWNLOADS = (".xlsx", ".pdf", ".json", ".csv", ".zip")
# Never followed: logging out ends the crawl, the language switch is a form.
SKIPPED = ("/akun/keluar/", "/i18n/")

# Where each role's user lives (the demo accounts of ops/demo.py: one per role).
USERS = {
    Role.ADMIN: ("demo.admin", None),
    Role.OPERATOR_KABUPATEN: ("demo.kabupaten", None),
    Role.OPERATOR_KECAMATAN: ("demo.selong", "52.03.07"),
    Role.OPERATOR_DESA: ("demo.desa", "52.03.07.1001"),
    Role.BPJS: ("demo.bpjs", None),
    Role.PIMPINAN: ("demo.pimpinan", None),
    Role.AUDITOR: ("demo.auditor", None),
    Role.PROVINSI: ("demo.provinsi", "52"),
}


def user_of_role(role: str) -> object:
    username, region = USERS[Role(role)]
    return UserFactory(username=username, role=role, region_id=region)


# Common English words that are never Indonesian (whole words, case as written). Proper
# nouns, file formats and data values (BPJS, NIK, PDF, XLSX, Excel, Leaflet) are not in it.
ENGLISH_WORDS = frozenset(
    """the The and of with from this that your You Save Cancel Next Previous Search Download
    Delete Edit Loading Error None True False yes Yes Submit Page results step validate
    Upload Workers workers worker Name Back Close Show Hide Filter Export Update Details
    Settings Password Username Login Logout Home Village District Regency Approve Approved
    Compare Budget Source Duplicates Policy Scenario Scenarios Year Month Date Male
    Female Occupation Income Checking Reading Comparing Saving Queued Ready Failed Done""".split()  # noqa: SIM905
)
ALLOWED = frozenset({"Leaflet", "Excel", "PDF", "XLSX", "BPJS", "NIK", "OpenStreetMap"})
WORD = re.compile(r"[A-Za-z]+")


def english_words(text: str) -> Counter[str]:
    """The listed English words in `text`, with how often each appears."""
    return Counter(w for w in WORD.findall(text) if w in ENGLISH_WORDS and w not in ALLOWED)


def context_of(text: str, word: str, width: int = 40) -> str:
    """The first place `word` appears in `text`, with some text around it."""
    match = re.search(rf"\b{re.escape(word)}\b", text)
    if match is None:
        return ""
    start, end = max(0, match.start() - width), match.end() + width
    return " ".join(text[start:end].split())


class _Page(HTMLParser):
    """The links and the visible text of an HTML page (script, style and hidden parts left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self._hiding: list[str] = []  # the open tags inside (and including) a hidden element

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        void = tag in ("br", "img", "input", "meta", "link", "hr", "source", "wbr", "col")
        if not void and (
            self._hiding or tag in ("script", "style", "template") or "hidden" in values
        ):
            self._hiding.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._hiding and self._hiding[-1] == tag:
            self._hiding.pop()

    def handle_data(self, data: str) -> None:
        if not self._hiding:
            self.text.append(data)


def parse(html: str) -> tuple[list[str], str]:
    """(hrefs, visible text) of an HTML page."""
    page = _Page()
    page.feed(html)
    return page.links, " ".join(page.text)


@dataclass
class Frontier:
    """The links still to open, breadth-first, within the budget and the query-variant limit."""

    budget: int = PAGE_BUDGET
    queue: deque[tuple[str, str]] = field(default_factory=deque)  # (path, the page linking it)
    seen: set[str] = field(default_factory=set)
    variants: Counter[str] = field(default_factory=Counter)

    def add(self, href: str, found_on: str) -> None:
        url = urljoin(found_on, href.split("#", 1)[0])
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or not href or href.startswith("#"):
            return
        if parts.netloc and parts.netloc != urlsplit(found_on).netloc:
            return  # another site
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in self.seen or any(parts.path.startswith(s) for s in SKIPPED):
            return
        if parts.query:
            if self.variants[parts.path] >= QUERY_VARIANTS:
                return
            self.variants[parts.path] += 1
        self.seen.add(path)
        self.queue.append((path, urlsplit(found_on).path))

    def __iter__(self) -> Iterator[tuple[str, str]]:
        opened = 0
        while self.queue and opened < self.budget:
            opened += 1
            yield self.queue.popleft()


def is_download(path: str) -> bool:
    return urlsplit(path).path.endswith(DOWNLOADS)


def crawl(
    start: str, open_page: Callable[[str], tuple[int, str | None]], budget: int = PAGE_BUDGET
) -> list[str]:
    """Open `start` and every link reachable from it (breadth-first, at most `budget` pages);
    `open_page(path)` returns (status, HTML or None for a download). The problems found."""
    frontier = Frontier(budget=budget)
    frontier.add(start, "http://testserver/")
    problems = []
    for path, found_on in frontier:
        status, html = open_page(path)
        if status >= 400:
            problems.append(f"{status} {path} (linked from {found_on})")
        if html is not None:
            for href in parse(html)[0]:
                frontier.add(href, "http://testserver" + path)
    return problems
