#!/usr/bin/env python3
"""Filtering the hub in the page: opens a built hub (e.g. the 10,000 resumes `gitfolio bench hub
--keep DIR` leaves in DIR/_site) in headless Chromium and times what a reader's change of a filter
costs — the page's own handler (filterHub over the static index, then drawing the first cards) —
against a bare Array.filter over as many plain objects in the same page.

Usage: python3 scripts/bench_hub_filter.py DIR/_site [--rounds 30]
"""
import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request

import websocket


class Page:
    def __init__(self, ws):
        self.ws, self.next_id = ws, 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(message)
                return message.get("result", {})

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result.get("result", {}).get("value")

    def wait(self, expression, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.js(f"(() => {{ try {{ return !!({expression}); }} catch (e) {{ return false; }} }})()"):
                return
            time.sleep(0.05)
        raise RuntimeError("timed out waiting for " + expression)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=args.site)
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    profile = tempfile.mkdtemp(prefix="gitfolio-bench-chromium-")
    proc = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             f"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1200,900",
                             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while time.time() < deadline and not (os.path.exists(port_file) and open(port_file).read().strip()):
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        target = next(t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json")) if t["type"] == "page")
        page = Page(websocket.create_connection(target["webSocketDebuggerUrl"], timeout=120, suppress_origin=True))
        page.call("Page.enable")
        page.call("Page.navigate", url=base + "/hub/index.html")
        # The filters appear once the index and counts are read and the first cards drawn.
        page.wait("!document.querySelector('#hub-filters').hidden && document.querySelector('#hub-status').textContent")
        load = page.js("performance.now()")
        index_kb = os.path.getsize(os.path.join(args.site, "hub/index.json")) / 1024
        counts_kb = os.path.getsize(os.path.join(args.site, "hub/counts.json")) / 1024
        total = page.js("fetch('/hub/index.json').then(r => r.json()).then(i => i.r.length)")
        print(f"hub in Chromium: {total} resumes; index {index_kb:.0f} KiB, counts {counts_kb:.0f} KiB; "
              f"page ready with filters {load:.0f} ms after navigation (local server)")

        cases = [
            ("role BACKEND", {"role": "BACKEND"}),
            ("role + tech 'spring'", {"role": "BACKEND", "tech": "spring"}),
            ("school MASTER + sort likes", {"school": "GRADUATE_SCHOOL_MASTER", "sort": "likes"}),
            ("tech 'a' (broad) + sort views", {"tech": "a", "sort": "views"}),
            ("all, sort latest", {}),
        ]
        for label, values in cases:
            times = page.js(f"""(() => {{
                const form = document.querySelector('#hub-filters'), values = {json.dumps(values)};
                const times = [];
                for (let i = 0; i < {args.rounds}; i++) {{
                    form.reset();
                    for (const [k, v] of Object.entries(values)) form.elements[k].value = v;
                    const t0 = performance.now();
                    form.dispatchEvent(new Event('input', {{bubbles: true}}));
                    times.push(performance.now() - t0);
                }}
                return {{times, shown: document.querySelector('#hub-status').textContent}};
            }})()""")
            t = sorted(times["times"])
            print(f"filter {label:32s} p50 {statistics.median(t):6.2f} ms  max {t[-1]:6.2f} ms  ({times['shown']}; target < 50 ms)")

        ref = page.js(f"""(() => {{
            const items = Array.from({{length: {total}}}, (_, i) => ({{id: i, role: i % 5 ? 'BACKEND' : 'AI', skills: ['a', 'b']}}));
            const times = [];
            for (let i = 0; i < {args.rounds}; i++) {{
                const t0 = performance.now();
                items.filter((e) => e.role === 'BACKEND');
                times.push(performance.now() - t0);
            }}
            return times;
        }})()""")
        print(f"reference, a bare Array.filter over {total} plain objects: p50 {statistics.median(sorted(ref)):.2f} ms")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)
        server.shutdown()


if __name__ == "__main__":
    main()
