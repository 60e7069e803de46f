"""The accessibility check the journeys run (conftest.CheckedBrowser) finds what it should, once per path.

A page served by the browser itself (no server needed) holds an image without a text alternative (critical),
a link with no name (serious) and grey text too pale to read (serious); the check names each rule, the page and
the element, skips the same path on a second visit, and leaves a clean page alone.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

BAD = """<!doctype html><html lang="vi"><head><title>Trang thử</title></head><body><main>
<h1>Trang thử</h1><img src="/x.png" id="no-alt"><a href="/a" id="no-name"></a>
<p id="pale" style="color:#c8c8c8;background:#fff">Chữ quá nhạt</p></main></body></html>"""
GOOD = """<!doctype html><html lang="vi"><head><title>Trang thử</title></head><body><main>
<h1>Trang thử</h1><p>Chữ đọc được</p><a href="/a">Về trang chủ</a></main></body></html>"""


def test_the_check_reports_serious_violations_once_per_path(browser):
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    pages = {"/bad": BAD, "/good": GOOD}
    page.route(
        "http://chibo.test/*",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body=pages.get(route.request.url.split("chibo.test")[1], "")
        ),
    )
    page.goto("http://chibo.test/bad")
    page.goto("http://chibo.test/good")
    page.goto("http://chibo.test/bad")
    context.close()
    found = browser.finish_test()
    assert [v.split(" on ")[0] for v in found] == [
        "color-contrast (serious)",
        "image-alt (critical)",
        "link-name (serious)",
    ], found
    assert all("http://chibo.test/bad" in v for v in found), found
    assert "#pale" in found[0] and "#no-alt" in found[1] and "#no-name" in found[2], found
    assert browser.axe.checked == set()  # the next test starts afresh
