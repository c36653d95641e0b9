"""Fixtures for the browser tests: `gitfolio serve` on a free port with a fresh database, and
Debian's Chromium driven headless over the DevTools protocol. Screenshots go to .test-artifacts/."""
import base64
import glob
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile

import pytest
import websocket

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ARTIFACTS = os.path.join(ROOT, ".test-artifacts", "browser")
VENDOR = os.path.join(ROOT, ".test-artifacts", "vendor")
# axe-core (MPL-2.0), the accessibility engine, as PyPI ships it inside axe-playwright-python's wheel;
# scripts/deps.sh --test downloads the wheel (pip download, no install), this reads axe.min.js from it.
AXE_WHEEL = "axe-playwright-python==0.1.8"


def axe_source():
    wheels = glob.glob(os.path.join(VENDOR, "axe_playwright_python-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", VENDOR, AXE_WHEEL], check=True)
        wheels = glob.glob(os.path.join(VENDOR, "axe_playwright_python-*.whl"))
    with zipfile.ZipFile(wheels[0]) as z:
        return z.read("axe_playwright_python/axe.min.js").decode()


def bin_dir():
    if os.environ.get("GITFOLIO_BIN_DIR"):
        return os.environ["GITFOLIO_BIN_DIR"]
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip()


class FakeLLM:
    """An OpenAI-compatible Chat Completions server on loopback (the documented wire format):
    it answers each request with the next scripted JSON content and keeps what it was sent."""

    def __init__(self):
        self.replies, self.seen = [], []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                fake.seen.append({"path": self.path, "auth": self.headers.get("authorization"), "json": json.loads(body)})
                content = fake.replies.pop(0) if fake.replies else '{"replacement": ""}'
                reply = json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "model": "fake",
                                    "choices": [{"index": 0, "finish_reason": "stop",
                                                 "message": {"role": "assistant", "content": content}}]}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def llm():
    fake = FakeLLM()
    yield fake
    fake.stop()


def start_serve(env, port="0"):
    """Starts `gitfolio serve` with a fresh database; returns (process, base URL, work folder)."""
    work = tempfile.mkdtemp(prefix="gitfolio-browser-")
    env = dict(env, GITFOLIO_SECRET_FILE=os.path.join(work, "secret.key"))
    proc = subprocess.Popen(
        [os.path.join(bin_dir(), "gitfolio"), "serve", "--port", str(port), "--site", os.path.join(ROOT, "site"),
         "--content", os.path.join(ROOT, "content"), "--out", os.path.join(work, "_site"),
         "--db", os.path.join(work, "g.sqlite")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    found, seen = None, []
    deadline = time.time() + 60
    while time.time() < deadline and found is None:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        m = re.search(r"serving http://127\.0\.0\.1:(\d+)/", line)
        if m:
            found = m.group(1)
    assert found, "gitfolio serve did not start:\n" + "".join(seen)
    # Keep reading what serve prints (its and its functions' logs): a pipe nobody reads fills up after
    # about 64 KiB, and serve would then block on its next log line in the middle of a test. The lines
    # are kept on the process (`proc.log`, complete once `proc.log_reader` has ended) for tests that read them.
    proc.log = seen
    proc.log_reader = threading.Thread(target=lambda: seen.extend(proc.stdout), daemon=True)
    proc.log_reader.start()
    return proc, f"http://127.0.0.1:{found}", work


def stop_serve(proc, work):
    proc.terminate()
    proc.wait(timeout=10)
    if os.environ.get("GITFOLIO_KEEP_SERVE_LOG"):
        proc.log_reader.join(timeout=10)
        with open(f"/tmp/serve-{proc.pid}.log", "w") as f:
            f.writelines(proc.log)
    shutil.rmtree(work, ignore_errors=True)


def clean_env():
    return {k: v for k, v in os.environ.items()
            if not k.startswith("GITHUB_") and not k.startswith("GITFOLIO_LLM_") and k != "GITFOLIO_PUBLIC_URL"}


@pytest.fixture(scope="module")
def site(llm):
    """`gitfolio serve` with no GitHub app (the local sign-in is on) and the fake model server
    configured as an OpenAI-compatible provider. Yields the base URL."""
    env = clean_env()
    env.update({"GITFOLIO_LLM_PROVIDER": "openai", "GITFOLIO_LLM_BASE_URL": llm.url,
                "GITFOLIO_LLM_MODEL": "fake-model", "GITFOLIO_LLM_API_KEY": "sk-browser-test"})
    proc, base, work = start_serve(env)
    yield base
    stop_serve(proc, work)


@pytest.fixture(scope="module")
def github_site():
    """`gitfolio serve` with a GitHub OAuth app whose GitHub is the fake of the test support (run as
    a process) and no model: generation uses the offline writer. Yields the base URL."""
    fake = subprocess.Popen([os.path.join(bin_dir(), "fake-github")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    info = json.loads(fake.stdout.readline())
    with socket.socket() as s:  # the OAuth callback URL must name the port before serve starts
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = clean_env()
    env.update({"GITHUB_CLIENT_ID": info["clientID"], "GITHUB_CLIENT_SECRET": info["clientSecret"],
                "GITHUB_OAUTH_URL": info["url"], "GITHUB_API_URL": info["url"],
                "GITFOLIO_PUBLIC_URL": f"http://127.0.0.1:{port}"})
    proc, base, work = start_serve(env, port)
    yield base
    stop_serve(proc, work)
    fake.stdin.close()
    fake.wait(timeout=10)


class Browser:
    def __init__(self, ws):
        self.ws, self.next_id, self.events = ws, 0, []

    def call(self, method, **params):
        message = self.send(method, **params)
        assert "error" not in message, message
        return message.get("result", {})

    def send(self, method, **params):
        """The whole answer to one DevTools command, an error included."""
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                return message
            self.events.append(message)

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result.get("result", {}).get("value")

    def wait(self, expression, timeout=20):
        # 20 seconds: a function's first process can be slow to start on a busy machine.
        deadline = time.time() + timeout
        guarded = f"(() => {{ try {{ return !!({expression}); }} catch (e) {{ return false; }} }})()"
        while time.time() < deadline:
            # An evaluation that meets a navigation ("Inspected target navigated or closed") is asked
            # again on the next page, as is one that has no page to run in yet.
            message = self.send("Runtime.evaluate", expression=guarded, awaitPromise=True, returnByValue=True)
            if "error" not in message and message.get("result", {}).get("result", {}).get("value"):
                return
            time.sleep(0.05)
        # What the page could still do when the wait gave up (a stalled server or a tab stuck in a
        # navigation look different here), and the browser's last events: printed for the log.
        probe = self.send("Runtime.evaluate", awaitPromise=True, returnByValue=True, timeout=5000,
                          expression="Promise.race([fetch('/api/session').then(r => 'session ' + r.status),"
                                     " new Promise(ok => setTimeout(() => ok('session: no answer in 5 s'), 5000))])"
                                     ".then(s => s + '; readyState ' + document.readyState + '; gfLeaving ' + window.gfLeaving)")
        print(f"wait gave up: {expression}\n  page: {probe}\n  last events: {[e.get('method') for e in self.events[-20:]]}", flush=True)
        raise AssertionError(f"timed out waiting for: {expression}\nat {self.js('location.href')}")

    def open(self, url):
        self.call("Page.navigate", url=url)
        self.wait("document.readyState === 'complete'")

    def screenshot(self, name, full=True):
        os.makedirs(ARTIFACTS, exist_ok=True)
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=full)["data"]
        with open(os.path.join(ARTIFACTS, name + ".png"), "wb") as f:
            f.write(base64.b64decode(data))

    def dialogs(self):
        self.js("1")  # drain pending events
        return [e for e in self.events if e.get("method") == "Page.javascriptDialogOpening"]

    def width(self, width):
        """Lays pages out as a window `width` CSS pixels wide: a phone (390, with its meta viewport) or a desktop."""
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=844 if width < 600 else 900,
                  deviceScaleFactor=1, mobile=width < 600)

    def mark(self):
        """A point in the event log: `console_errors(mark)` reports what came after it."""
        self.js("1")
        return len(self.events)

    def console_errors(self, since=0):
        """Script exceptions, console.error calls and browser errors (a bad `pattern`, a missing file)
        since `since`. An API answer the page expects (a 4xx a form shows) is not counted."""
        self.js("1")
        errors = []
        for e in self.events[since:]:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                errors.append(params["exceptionDetails"].get("exception", {}).get("description") or params["exceptionDetails"].get("text"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                entry = params["entry"]
                if entry.get("source") == "network" and "/api/" in entry.get("url", "") and " 4" in entry.get("text", ""):
                    continue
                errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}")
        return errors

    def key(self, key, code=None, vk=0, text=None, modifiers=0):
        """Presses and releases one key, as a keyboard does."""
        down = dict(type="keyDown" if text else "rawKeyDown", key=key, code=code or key, windowsVirtualKeyCode=vk, modifiers=modifiers)
        if text:
            down["text"] = text
        self.call("Input.dispatchKeyEvent", **down)
        self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code or key, windowsVirtualKeyCode=vk, modifiers=modifiers)


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is not installed; ./test.sh installs it (apt-get install chromium)"
    profile = tempfile.mkdtemp(prefix="gitfolio-chromium-")
    proc = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             f"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1200,900",
                             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.time() + 30
    # Chromium creates the file before it writes the port into it.
    while time.time() < deadline and not (os.path.exists(port_file) and open(port_file).read().strip()):
        time.sleep(0.1)
    port = open(port_file).read().split()[0]
    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
    page = next(t for t in targets if t["type"] == "page")
    ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
    b = Browser(ws)
    b.call("Page.enable")
    b.call("Runtime.enable")
    b.call("Log.enable")
    # Focus events as in a focused window, whatever the headless window's state.
    b.call("Emulation.setFocusEmulationEnabled", enabled=True)
    yield b
    ws.close()
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(profile, ignore_errors=True)


# ---- The interface checks every page gets (issue 17), shared by the test files ----

WIDTHS = [1280, 390]

# Geometry of the page as laid out: how far it scrolls sideways, and every place where a line
# breaks between two Hangul syllables of one word in a heading, button, link of the header, legend
# or label (each syllable's box on a lower line than the one before it).
PAGE_CHECK = r"""(() => {
  const out = { overflow: document.scrollingElement.scrollWidth - window.innerWidth, broken: [] };
  const hangul = (c) => c >= "\uac00" && c <= "\ud7a3";
  for (const el of document.querySelectorAll("h1, h2, h3, h4, button, .button, nav a, legend, label, .gf-resume p")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === "hidden") continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      let prev = null;
      for (let i = 0; i < node.data.length; i++) {
        if (!hangul(node.data[i])) { prev = null; continue; }
        const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
        const rect = r.getBoundingClientRect();
        if (prev && rect.top > prev.top + prev.height / 2) out.broken.push(node.data.slice(Math.max(0, i - 6), i + 6));
        prev = rect;
      }
    }
  }
  return out;
})()"""

# Whether an element is inside the window (within a pixel: scrolling is by whole pixels).
IN_VIEW = """(() => {{ const el = document.querySelector({selector}); if (!el || (!el.textContent.trim() && !el.matches("input, select, textarea"))) return null;
  const r = el.getBoundingClientRect();
  return {{ top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: innerWidth, height: innerHeight,
            inside: r.width > 0 && r.height > 0 && r.top >= -1 && r.left >= -1 && r.bottom <= innerHeight + 1 && r.right <= innerWidth + 1 }}; }})()"""


def in_view(browser, selector):
    geometry = browser.js(IN_VIEW.format(selector=json.dumps(selector)))
    assert geometry and geometry["inside"], f"{selector} is not inside the window: {geometry}"


@pytest.fixture(scope="session")
def axe():
    return axe_source()


def check_page(browser, axe, name, since, missing=None):
    """Everything a page must be at the current width, then its screenshot. `missing` is the URL of
    a page visited on purpose for its 404 (the browser logs that answer as an error)."""
    layout = browser.js(PAGE_CHECK)
    assert layout["overflow"] <= 0, f"{name}: the page scrolls sideways by {layout['overflow']} px"
    assert layout["broken"] == [], f"{name}: Korean words broken across lines: {layout['broken']}"
    if not browser.js("typeof window.axe === 'object'"):
        browser.call("Runtime.evaluate", expression=axe)
    violations = browser.js("""axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) })))""")
    assert violations == [], f"{name}: accessibility violations: {json.dumps(violations, ensure_ascii=False, indent=1)}"
    errors = [e for e in browser.console_errors(since) if not (missing and e.endswith(" " + missing) and "404" in e)]
    assert errors == [], f"{name}: console errors: {errors}"
    browser.screenshot(name)


def make_it_mine(browser):
    """In the editor on a fresh copy of the example: rewrites one sentence of the last project (the
    example exactly as it came cannot be published) and waits for the save."""
    browser.js("""(() => { const el = document.querySelector('#sheet [data-path="projects[2].bullets[0]"]');
        el.focus(); el.textContent = el.textContent + ' ✓'; el.blur(); })()""")
    browser.wait("/(^|\\D)2$/.test(document.querySelector('#version').textContent.trim())", timeout=20)


def click_later(browser, selector):
    """Clicks what leads to another page from a task of its own, so that the evaluation that asks
    for the click has answered before the page goes away."""
    browser.js(f"setTimeout(() => document.querySelector({json.dumps(selector)}).click(), 0)")


def sign_out(browser):
    """Signs out from the header and waits for the page that follows, signed out. (Waiting only for
    index.html would pass at once on index.html itself, before the sign-out has even been sent.)"""
    browser.wait("!document.querySelector('#signout').hidden")
    browser.js("window.gfLeaving = true")
    click_later(browser, "#signout")
    browser.wait("!window.gfLeaving && location.pathname.endsWith('/index.html') && document.readyState === 'complete'"
                 " && !document.querySelector('#signin-link').hidden", timeout=20)


def settled(browser, quiet=0.5, timeout=10):
    """Waits until the page's height has not changed for `quiet` seconds: content that arrives late
    (a profile's rows, a list) moves what is below it, and a click or a geometry check made before
    that lands somewhere else on a busy machine."""
    deadline = time.time() + timeout
    last, since = None, time.time()
    while time.time() < deadline:
        height = browser.js("document.documentElement.scrollHeight")
        if height != last:
            last, since = height, time.time()
        elif time.time() - since >= quiet:
            return
        time.sleep(0.1)
