"""Every link a role can reach from its home page opens (no 4xx or 5xx), with the Django test
client: the fast twin of the browser crawl (test_browser_crawl.py)."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from lindung.roles import Role
from lindung.tests.crawl import Frontier, crawl, english_words, is_download, parse, user_of_role
from lindung.tests.test_query_counts import build_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", Role.values)
def test_every_link_reachable_from_the_home_page_opens(
    role: str, client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    build_world()
    client.force_login(user_of_role(role))

    def open_page(path: str) -> tuple[int, str | None]:
        response = client.get(path, follow=True)
        # Reading a download to its end closes its file (the test client's wrapper).
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if is_download(path) or "html" not in response.get("Content-Type", ""):
            return response.status_code, None
        return response.status_code, body.decode()

    assert crawl("/", open_page) == []


def test_the_crawl_follows_same_site_links_once_and_few_query_variants() -> None:
    frontier = Frontier(budget=100)
    page = "http://testserver/pekerja/"
    for href in [
        "/dasbor/",
        "/dasbor/#peta",  # the same page
        "https://example.org/",  # another site
        "mailto:dinas@example.org",
        "/akun/keluar/",  # logging out ends the walk
        *(f"?page={n}" for n in range(1, 6)),  # query variants of one path
    ]:
        frontier.add(href, page)
    assert [path for path, _found_on in frontier] == [
        "/dasbor/",
        "/pekerja/?page=1",
        "/pekerja/?page=2",
        "/pekerja/?page=3",
    ]


def test_it_finds_english_words_but_not_indonesian_text_or_proper_nouns() -> None:
    text = "Unduh XLSX atau PDF dari BPJS. Download the list. Simpan Cancel"
    assert english_words(text) == {"Download": 1, "the": 1, "Cancel": 1}
    assert english_words("Nomor SK, No. KK, NIK, Excel, Leaflet, data pekerja") == {}
    links, visible = parse(
        '<a href="/x/">Buka</a><script>var the = 1;</script><div hidden><p>the</p></div><p>Cari'
    )
    assert links == ["/x/"] and visible.split() == ["Buka", "Cari"]
