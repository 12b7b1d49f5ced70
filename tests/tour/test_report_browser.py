"""The tour's report opens in a real browser (issue #20's acceptance).

A quick tour of groups L and O (real experiments with figures) plus three synthetic ones
(an error, a contradicted claim, a figure whose draw raises, and text full of HTML
metacharacters) is written to a report; every page it has is loaded in headless Debian
Chromium, driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: the
standard library only, no websocket, no port). Each page must load every image
(``naturalWidth > 0``) with no console error, JavaScript exception or failed resource;
a screenshot of each is saved under pytest's ``tmp_path``.

Skipped only when no Chromium executable is found (CI installs Debian's ``chromium``).
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from gradkit.tour import load_all
from gradkit.tour.registry import Check, Experiment, Finding
from gradkit.tour.report import write_report
from gradkit.tour.runner import run_tour
from gradkit.tour.runner import select as select_experiments

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--window-size=1200,900",
]  # fmt: skip
TIMEOUT = 60.0

pytestmark = pytest.mark.slow  # a quick tour of 9 experiments, 22 figures, 5 page loads


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """Chromium driven over ``--remote-debugging-pipe``: the browser reads NUL-terminated
    JSON commands on its fd 3 and writes replies and events on its fd 4."""

    def __init__(self, executable: str, profile: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def place_fds() -> None:  # runs in the child: the pipe ends become fds 3 and 4
            a, b = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [
                executable,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],  # fmt: skip
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=place_fds,
            close_fds=False,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError(f"Chromium exited: {self.stderr_tail()}")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict:
        deadline = time.monotonic() + TIMEOUT
        for k, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self.events.pop(k)
        while True:
            event = self._read_message(deadline)
            if event.get("method") == method and event.get("sessionId") == session:
                return event
            self.events.append(event)

    def stderr_tail(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read().decode(errors="replace")[-2000:]

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self.proc.stderr.close()


IMAGES_JS = (
    "JSON.stringify(Array.from(document.images).map("
    "i => [i.getAttribute('src'), i.complete, i.naturalWidth]))"
)


def load_page(browser: Browser, url: str, screenshot: Path) -> tuple[list, list[str]]:
    """Open ``url`` in a new tab; return its images ([src, complete, naturalWidth]) and
    the console errors, exceptions and failed loads it produced."""
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
        "sessionId"
    ]
    for domain in ("Page", "Runtime", "Log"):
        browser.send(f"{domain}.enable", session=session)
    browser.events.clear()
    browser.send("Page.navigate", {"url": url}, session=session)
    browser.wait_for("Page.loadEventFired", session)
    result = browser.send(
        "Runtime.evaluate", {"expression": IMAGES_JS, "returnByValue": True}, session=session
    )
    images = json.loads(result["result"]["value"])
    shot = browser.send(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
        session=session,
    )  # fmt: skip
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    problems = []
    for event in browser.events:
        if event.get("sessionId") != session:
            continue
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            problems.append(f"console.{params['type']}: {params.get('args')}")
        elif method == "Runtime.exceptionThrown":
            problems.append(f"exception: {params.get('exceptionDetails')}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            problems.append(f"log error: {entry.get('text')} {entry.get('url', '')}")
    browser.events.clear()
    browser.send("Target.closeTarget", {"targetId": target})
    return images, problems


def _synthetic() -> list[Experiment]:
    def broken(quick):
        raise RuntimeError("this experiment fails on purpose <b>not bold</b>")

    def contradicted(quick):
        return Finding([Check("1 > 2 <script>alert(1)</script>", "1 > 2 is False", 1 > 2)])

    def bad_draw(fig):
        fig.add_subplot().plot([1, 2, 3])
        raise ValueError("the figure fails on purpose")

    def with_bad_figure(quick):
        return Finding([Check("a & b", "ok", True)], {"x": 1.5}, draw=bad_draw)

    make = lambda id_, fn: Experiment(  # noqa: E731
        id_, "U", f"Synthetic {id_} <i>&</i>", "claim with <tags> & 'quotes'", "a < b",
        ("gradkit.tour.runner", "run_tour"), "tests/tour/test_report_browser.py", fn,
        note="a note with <em>markup</em>",
    )  # fmt: skip
    return [make("U-BROKEN", broken), make("U-CONTRA", contradicted),
            make("U-BADFIG", with_bad_figure)]  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    pytest.importorskip("matplotlib")
    out = tmp_path_factory.mktemp("tour-report")
    experiments = load_all()
    chosen = select_experiments(experiments, "L,O-MOMENTUM,O-LAGRANGE,T-GRAPH")
    results = run_tour(chosen + _synthetic(), quick=True, stream=None)
    write_report(results, out, experiments)
    return out, results


def test_report_pages_load_in_chromium(report, tmp_path):
    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium executable found (apt-get install chromium)")
    out, results = report
    pages = sorted(out.glob("*.html"))
    assert {p.name for p in pages} == {"index.html", "T.html", "L.html", "O.html", "U.html"}
    pngs = sorted(p.name for p in out.glob("*.png"))
    browser = Browser(executable, tmp_path / "profile")
    seen_images = 0
    try:
        for page in pages:
            shot = tmp_path / f"{page.stem}.png"
            images, problems = load_page(browser, page.resolve().as_uri(), shot)
            assert not problems, f"{page.name}: {problems}"
            broken = [src for src, complete, width in images if not (complete and width > 0)]
            assert not broken, f"{page.name}: images that did not load: {broken}"
            assert shot.stat().st_size > 1000
            seen_images += len(images)
    finally:
        browser.close()
    assert seen_images == len(pngs) > 0  # every figure written is shown on a page


def test_report_shows_errors_escaped(report):
    out, results = report
    status = {r.experiment.id: r.status for r in results}
    assert status["U-BROKEN"] == "error" and status["U-CONTRA"] == "CONTRADICTED"
    page = (out / "U.html").read_text(encoding="utf-8")
    assert "RuntimeError: this experiment fails on purpose &lt;b&gt;" in page
    assert "ValueError: the figure fails on purpose" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)" in page
    assert not (out / "U-BADFIG.png").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "not run" in index  # concepts outside the selection are listed as not run
