#!/usr/bin/env python3
"""Load on `gitfolio serve` beside lighttpd serving the same _site (issue 15), on loopback only.

Started by scripts/bench-serve.sh, which builds the release binaries first. Every run is bounded in
time; the flood in connections and time. Prints a Markdown table and the flood's figures.

  python3 scripts/bench_serve.py BIN_DIR [--duration 10] [--connections 1,16,64,256] [--flood 1500]
"""
import argparse
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_serve(bin_dir, work, descriptor_limit=None, workers=2):
    args = [os.path.join(bin_dir, "gitfolio"), "serve", "--port", "0", "--workers", str(workers),
            "--site", os.path.join(ROOT, "site"), "--content", os.path.join(ROOT, "content"),
            "--out", os.path.join(work, "_site"), "--db", os.path.join(work, "g.sqlite")]
    if descriptor_limit:
        args = ["prlimit", f"--nofile={descriptor_limit}:{descriptor_limit}", "--"] + args
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "GITFOLIO_PUBLIC_URL")}
    env["GITFOLIO_SECRET_FILE"] = os.path.join(work, "secret.key")
    log = open(os.path.join(work, "serve.log"), "w+")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + 120
    while time.time() < deadline:
        log.seek(0)
        m = re.search(r"serving http://127\.0\.0\.1:(\d+)/", log.read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    log.seek(0)
    sys.exit("serve did not start:\n" + log.read())


def start_lighttpd(work):
    port = free_port()
    conf = os.path.join(work, "lighttpd.conf")
    with open(conf, "w") as f:
        f.write(f"""server.document-root = "{work}/_site"
server.bind = "127.0.0.1"
server.port = {port}
server.errorlog = "{work}/lighttpd-error.log"
server.max-keep-alive-requests = 1000000
server.max-fds = 16384
server.max-connections = 8192
index-file.names = ("index.html")
mimetype.assign = (".html" => "text/html; charset=utf-8", ".css" => "text/css; charset=utf-8",
  ".js" => "text/javascript; charset=utf-8", ".json" => "application/json", ".png" => "image/png")
""")
    lighttpd = shutil.which("lighttpd") or "/usr/sbin/lighttpd"
    proc = subprocess.Popen([lighttpd, "-D", "-f", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    sys.exit("lighttpd did not start")


def sign_in(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", "/api/login", body=json.dumps({"login": "bench", "name": "Bench"}),
              headers={"Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    cookie = next(v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie" and v.startswith("gitfolio_session="))
    c.close()
    return cookie


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url, connections, duration, headers):
    args = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for h in headers:
        args += ["-H", h]
    out = subprocess.run(args + [url], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    return rps, p99, errors, out


def flood(port, connections, seconds, probe_paths):
    """`connections` sockets that each send half a request and one header line a second; the
    server closes some (idle, timed out, evicted) and they are opened again, at most
    4 x `connections` in all. Meanwhile a normal client asks each probe path every 100 ms."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > 65536:
        hard = 65536
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    stop = time.time() + seconds
    probes = []  # (path, status or None, seconds)

    def probe():
        while time.time() < stop:
            for path in probe_paths:
                start = time.time()
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    c.request("GET", path, headers={"Connection": "close"})
                    r = c.getresponse()
                    r.read()
                    probes.append((path, r.status, time.time() - start))
                    c.close()
                except OSError:
                    probes.append((path, None, time.time() - start))
            time.sleep(0.1)

    thread = threading.Thread(target=probe)
    thread.start()
    socks, opened, refused, peak = [], 0, 0, 0
    budget = connections * 4
    while time.time() < stop:
        while len(socks) < connections and opened < budget and time.time() < stop:
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=2)
                s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                s.setblocking(False)
                socks.append(s)
                opened += 1
            except OSError:
                refused += 1
                time.sleep(0.01)
        peak = max(peak, len(socks))
        alive = []
        for s in socks:
            try:
                s.send(b"X-Slow: 1\r\n")
                alive.append(s)
            except OSError:
                s.close()
        socks = alive
        time.sleep(1)
    for s in socks:
        s.close()
    thread.join()
    return opened, refused, peak, probes


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin_dir")
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--connections", default="1,16,64,256")
    p.add_argument("--flood", type=int, default=1500)
    p.add_argument("--flood-seconds", type=int, default=20)
    p.add_argument("--flood-limit", type=int, default=1024)
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="gitfolio-bench-serve-")
    procs = []
    try:
        serve, port = start_serve(a.bin_dir, work)
        procs.append(serve)
        cookie = sign_in(port)
        lighttpd, lport = start_lighttpd(work)
        procs.append(lighttpd)
        levels = [int(x) for x in a.connections.split(",")]
        print(f"wrk -t2 -cN -d{a.duration}s --latency --timeout 5s (-t1 for one connection); serve on :{port} "
              f"(2 warm processes a function), lighttpd on :{lport}")
        print()
        print("| target | server | connections | connection | requests/s | p99 | errors |")
        print("|---|---|---:|---|---:|---:|---:|")
        static = {}
        runs = [("/", "serve", port, []), ("/", "lighttpd", lport, []), ("/api/session", "serve", port, [f"Cookie: {cookie}"])]
        for path, name, target_port, headers in runs:
            for c in levels:
                for mode in ("keep-alive", "close"):
                    h = headers + (["Connection: close"] if mode == "close" else [])
                    rps, p99, errors, out = wrk(f"http://127.0.0.1:{target_port}{path}", c, a.duration, h)
                    static[(path, name, c, mode)] = rps
                    print(f"| `{path}` | {name} | {c} | {mode} | {rps:,.0f} | {p99:.2f} ms | {errors} |", flush=True)
        print()
        for c in levels:
            for mode in ("keep-alive", "close"):
                ratio = static[("/", "serve", c, mode)] / static[("/", "lighttpd", c, mode)]
                print(f"serve / lighttpd on `/`, {c} {mode}: {ratio:.0%}")
        serve.terminate()
        serve.wait()
        procs.remove(serve)

        # The same run's reference for /api/session: events streamed into warm `session` processes
        # with no HTTP at all (`gitfolio bench functions`), the most the pool could pass on.
        out = subprocess.run([os.path.join(a.bin_dir, "gitfolio"), "bench", "functions", "--runs", "1", "--warm-requests", "20000"],
                             capture_output=True, text=True).stdout
        m = re.search(r"warm session, 2 processes: .* = (\d+) requests/s", out)
        if m:
            streamed = int(m.group(1))
            print()
            print(f"Reference: warm `session`, 2 processes, events streamed without HTTP (`gitfolio bench functions`): {streamed:,} requests/s; "
                  f"/api/session through serve at 64 keep-alive: {static[('/api/session', 'serve', 64, 'keep-alive')] / streamed:.0%} of it"
                  if 64 in levels else f"Reference: warm `session`, 2 processes, streamed: {streamed:,} requests/s")

        # The flood: serve under a descriptor limit, more connections than descriptors.
        shutil.rmtree(os.path.join(work, "_site"), ignore_errors=True)
        serve, port = start_serve(a.bin_dir, work, descriptor_limit=a.flood_limit)
        procs.append(serve)
        with open(os.path.join(work, "serve.log")) as f:
            cap = re.search(r"Up to (\d+) connections", f.read())
        opened, refused, peak, probes = flood(port, a.flood, a.flood_seconds, ["/", "/api/session"])
        alive = serve.poll() is None
        after = None
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/")
            after = c.getresponse().status
        except OSError as e:
            after = str(e)
        print()
        print(f"Flood: serve under `prlimit --nofile={a.flood_limit}` (connection cap {cap.group(1) if cap else '?'}), "
              f"{a.flood} half-sent requests kept open for {a.flood_seconds} s ({opened} connections opened, "
              f"{refused} refused, {peak} open at the peak on the client side)")
        for path in ("/", "/api/session"):
            mine = [x for x in probes if x[0] == path]
            ok = [x for x in mine if x[1] == 200]
            worst = max((x[2] for x in mine), default=0)
            lat = sorted(x[2] for x in ok)
            median = lat[len(lat) // 2] * 1000 if lat else float("nan")
            print(f"- normal client on `{path}` during the flood: {len(ok)}/{len(mine)} answered 200, "
                  f"median {median:.1f} ms, slowest {worst * 1000:.0f} ms")
        print(f"- serve still running after the flood: {alive}; GET / afterwards: {after}")
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
