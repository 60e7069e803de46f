"""Browser journeys: one headless Debian chromium per test module, driven by playwright.sync_api.

Playwright never downloads a browser here: it launches /usr/bin/chromium. The sync API runs an event
loop in the test thread, so Django's "async unsafe" guard is switched off for these tests.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def _serve_one_request_at_a_time() -> None:
    """On SQLite the test database lives in memory, and the live server hands its one connection to
    every request thread: two requests at once (a search typed while the last one still runs) would
    both begin a transaction on it and one fails with "cannot start a transaction within a
    transaction". A server that answers one request at a time keeps the browser's requests in line,
    as a single-process deployment does. PostgreSQL gives each thread its own connection, so it keeps
    the threaded server."""
    from django.conf import settings
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return

    class OneAtATime(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            # The live server thread installs the shared connection itself; requests run on it.
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = OneAtATime


_serve_one_request_at_a_time()

CHROMIUM = os.environ.get("CHIBO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """The module's chromium; every context a journey opens from it checks its pages with axe-core."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield CheckedBrowser(chromium)
        finally:
            chromium.close()


# -- Accessibility: axe-core on every page a journey visits -------------------------------------------------------
#
# axe-core comes from npm (package.json, installed into node_modules/ by `make test`). Each context a journey opens
# runs it inside every page once the page has loaded, limited to the WCAG 2.0/2.1 A and AA rules, once per URL path
# per test; a serious or critical violation fails the test with the rule, the page and the elements. A navigation
# waits until the check of the page it leaves has finished, so a journey that moves on quickly is still checked.

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
AXE_FAILS_ON = ("serious", "critical")
AXE_WAIT_MS = 20_000

AXE_ASK = "/__chibo_axe__/"  # the page asks the test through requests the context answers itself (see below)
AXE_RUNNER = """
(() => {
  if (window !== window.top || !location.protocol.startsWith("http")) return;
  const ask = (what, body) => fetch(ASK + what, {method: "POST", body: JSON.stringify(body)}).then(r => r.json());
  window.__chiboAxeBusy = true;
  const check = async () => {
    try {
      if ((await ask("wanted", {path: location.pathname})).wanted) {
        const only = {type: "tag", values: TAGS};
        const result = await window.axe.run(document, {runOnly: only, resultTypes: ["violations"]});
        await ask("report", {path: location.pathname, url: location.href, violations: result.violations
          .filter(v => FAILS_ON.includes(v.impact))
          .map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" "))}))});
      }
    } finally {
      window.__chiboAxeBusy = false;
      await ask("done", {});
    }
  };
  // A page left before its check ends cancels the requests: that is no error of the page.
  addEventListener("load", () => check().catch(() => {}), {once: true});
})();
"""


class AxeCheck:
    """The pages one test has checked and the serious or critical violations found on them."""

    def __init__(self) -> None:
        self.checked: set[str] = set()
        self.violations: list[str] = []

    def wanted(self, path: str) -> bool:
        return path not in self.checked

    def report(self, path: str, url: str, violations: list[dict]) -> None:
        self.checked.add(path)
        for v in violations:
            targets = ", ".join(v["targets"][:8]) + (f" (+{len(v['targets']) - 8})" if len(v["targets"]) > 8 else "")
            self.violations.append(f"{v['id']} ({v['impact']}) on {url}: {v['help']}; at {targets}")


class CheckedBrowser:
    """The chromium of a module, opening contexts that run axe-core on their pages (see AxeCheck).

    While a page is being checked, a navigation away from it is held (its request waits) and let go when the check
    ends. Playwright cannot talk to a page while its navigation waits, so the page speaks through requests to
    AXE_ASK, which the context's route answers without reaching the server: "wanted" (is this path still to be
    checked?), "report" (what axe found) and "done"."""

    def __init__(self, chromium) -> None:
        self.chromium = chromium
        self.axe = AxeCheck()
        self.contexts: list = []
        self.busy: dict = {}  # page → the navigations held until its check ends
        if not AXE_JS.exists():
            raise RuntimeError(f"{AXE_JS} is missing: `make test` installs it (npm ci)")
        script = (
            AXE_RUNNER.replace("TAGS", json.dumps(AXE_TAGS))
            .replace("FAILS_ON", json.dumps(AXE_FAILS_ON))
            .replace("ASK", json.dumps(AXE_ASK))
        )
        self.script = AXE_JS.read_text(encoding="utf-8") + ";\n" + script

    def __getattr__(self, name):
        return getattr(self.chromium, name)

    def new_context(self, **kwargs):
        context = self.chromium.new_context(**kwargs)
        context.add_init_script(script=self.script)
        context.route("**/*", self._route)
        context.on("page", lambda page: page.on("framenavigated", self._navigated))
        close = context.close

        def close_when_checked(**kw):
            settle(context)
            close(**kw)

        context.close = close_when_checked
        context.on("close", lambda c: self.contexts.remove(c) if c in self.contexts else None)
        self.contexts.append(context)
        return context

    def _route(self, route) -> None:
        request = route.request
        try:
            page = request.frame.page
        except Exception:  # a service worker's own request has no page
            route.fallback()
            return
        if AXE_ASK in request.url and request.method == "POST":
            what, body = request.url.rsplit("/", 1)[1], request.post_data_json or {}
            answer: dict = {}
            if what == "wanted":
                answer["wanted"] = self.axe.wanted(body["path"])
                if answer["wanted"]:
                    self.busy.setdefault(page, [])
            elif what == "report":
                self.axe.report(body["path"], body["url"], body["violations"])
            else:
                self._release(page)
            route.fulfill(status=200, json=answer)
        elif request.is_navigation_request() and request.frame.parent_frame is None and page in self.busy:
            self.busy[page].append(route)
        else:
            route.fallback()

    def _release(self, page) -> None:
        for route in self.busy.pop(page, []):
            route.fallback()

    def _navigated(self, frame) -> None:
        # A page replaced without passing the route (a service worker answered it) ends its check unfinished.
        if frame.parent_frame is None:
            self._release(frame.page)

    def forget_test(self) -> None:
        self.axe, self.contexts, self.busy = AxeCheck(), [], {}

    def finish_test(self) -> list[str]:
        for context in list(self.contexts):
            settle(context)
        found, self.axe = self.axe.violations, AxeCheck()
        return found


def settle(context) -> None:
    """Wait until the pages of a context have loaded and been checked."""
    for page in context.pages:
        try:
            page.wait_for_load_state("load", timeout=AXE_WAIT_MS)
            page.wait_for_function("() => !window.__chiboAxeBusy", timeout=AXE_WAIT_MS)
        except Exception:  # the page closed meanwhile
            pass


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    checked = item.funcargs.get("browser")
    if not isinstance(checked, CheckedBrowser):
        return (yield)
    try:
        result = yield
    except BaseException:
        # The journey failed first: what axe found on the pages it reached is shown beside its error.
        if checked.axe.violations:
            item.add_report_section("call", "accessibility", "\n".join(checked.axe.violations))
        checked.forget_test()
        raise
    else:
        violations = checked.finish_test()
        assert not violations, "accessibility (axe-core, serious or critical):\n" + "\n".join(violations)
    return result


@pytest.fixture
def demo_org(live_server, migrated_data):
    """The demo organization inside the live server's (transactional) database.

    The session demo survives only until the first transactional test flushes the database, so the
    journey builds its own when the personas are missing.
    """
    from chibo.accounts.models import User
    from chibo.demo.builder import build_demo

    if not User.objects.filter(username="bithu.phap").exists():
        build_demo(seed=2026, members=200)
    return live_server


@pytest.fixture
def totp_now():
    """totp_now(user) → the user's current TOTP code, never one about to expire (allauth allows no
    clock tolerance by default)."""
    from chibo.accounts.services import totp_code, totp_secret

    def code(user) -> str:
        secret = totp_secret(user)
        assert secret, f"{user.username} has no TOTP enrolled"
        if 30 - time.time() % 30 < 4:
            time.sleep(30 - time.time() % 30 + 0.2)
        return totp_code(secret)

    return code
