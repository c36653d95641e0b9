#!/usr/bin/env python3
"""Load on the two deployments (issue 14, part 2): `gitfolio serve` and lighttpd running the functions
as CGI (`gitfolio deploy`), with wrk on loopback, a read-heavy and a write-heavy mix at rising
concurrency. Started by scripts/load.sh (which builds the release binaries first).

  python3 scripts/load.py BIN_DIR [--levels 1,4,16,64,256] [--duration 10] [--deployments serve,cgi]

Per level: throughput, p50/p99, errors (any status other than the mix's 200/201, and socket
errors), 429s, and for the write mix the writes answered against the rows in the database: every like
and unlike uses a (member, resume) pair of its own, so each pair's state after the run says whether
its write landed. A write answered 200/201 but missing from the database is a lost write; a write in
the database whose answer wrk never read (it stops with requests in flight) is counted apart.
Prints a Markdown table. Loopback only; every run is bounded in time.
"""
import argparse
import json
import os
import random
import re
import secrets
import hashlib
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUA = os.path.join(ROOT, "scripts", "load.lua")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")
    return r.stdout


def wait_port(port, proc, log, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    sys.exit("the server did not start:\n" + open(log).read()[-3000:])


def prepare(bin_dir, work, resumes, readers):
    """A seeded hub, extra reader members, a session for every member, and the request data."""
    seed = os.path.join(work, "seed.sqlite")
    run([os.path.join(bin_dir, "gitfolio"), "seed-hub", "--count", str(resumes), "--db", seed])
    db = sqlite3.connect(seed)
    now = int(time.time())
    with db:
        for i in range(readers):
            db.execute("INSERT INTO member (local_login, login, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                       (f"load-{i}", f"load-{i}", f"Load {i}", now, now))
        members = [r[0] for r in db.execute("SELECT id FROM member ORDER BY id")]
        tokens = []
        for m in members:
            token = secrets.token_urlsafe(32)
            assert len(token) == 43
            db.execute("INSERT INTO session (token_hash, member_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                       (hashlib.sha256(token.encode()).hexdigest(), m, now, now + 30 * 86400))
            tokens.append(token)
    index = {m: i for i, m in enumerate(members)}
    public = [r for r in db.execute("SELECT id, member_id FROM resume WHERE visibility = 'PUBLIC' ORDER BY id")]
    owner = dict(public)
    viewed = [rid for k, (rid, _) in enumerate(public) if k % 2 == 0]
    liked_set = [rid for k, (rid, _) in enumerate(public) if k % 2 == 1]
    existing = set(db.execute("SELECT member_id, resume_id FROM resume_like"))
    rng = random.Random(14)
    like_pairs = [(index[m], r) for m in members for r in liked_set if owner[r] != m and (m, r) not in existing]
    unlike_pairs = [(index[m], r) for (m, r) in existing if r in set(liked_set)]
    rng.shuffle(like_pairs)
    rng.shuffle(unlike_pairs)
    db.close()
    data = os.path.join(work, "data")
    os.makedirs(data)
    for name, rows in [("cookies.txt", tokens), ("views.txt", viewed),
                       ("like.txt", [f"{c} {r}" for c, r in like_pairs]), ("unlike.txt", [f"{c} {r}" for c, r in unlike_pairs])]:
        with open(os.path.join(data, name), "w") as f:
            f.write("\n".join(str(x) for x in rows) + "\n")
    # The seeded file goes to each deployment through `gitfolio backup` and `restore`.
    backup = os.path.join(work, "seed-backup.sqlite")
    run([os.path.join(bin_dir, "gitfolio"), "backup", "--db", seed, "--out", backup])
    return data, backup, like_pairs, unlike_pairs, members


def write_pages(site, data):
    pages = ["/", "/hub/index.html"]
    for sub in ["hub/page", "resumes"]:
        folder = os.path.join(site, sub)
        if os.path.isdir(folder):
            pages += [f"/{sub}/{n}" for n in sorted(os.listdir(folder)) if n.endswith(".html")]
    with open(os.path.join(data, "pages.txt"), "w") as f:
        f.write("\n".join(pages) + "\n")
    return len(pages)


def start(kind, bin_dir, work, backup, data):
    dep = os.path.join(work, kind)
    os.makedirs(dep)
    db = os.path.join(dep, "g.sqlite")
    run([os.path.join(bin_dir, "gitfolio"), "restore", "--from", backup, "--db", db])
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GITFOLIO_", "KAKAOPAY_"))}
    env.update({"GITFOLIO_PUBLIC_URL": f"http://127.0.0.1:{port}", "GITFOLIO_SECRET_FILE": os.path.join(dep, "secret.key"),
                "GITFOLIO_DB": db, "GITFOLIO_LOG_LEVEL": "error"})
    common = ["--site", os.path.join(ROOT, "site"), "--content", os.path.join(ROOT, "content"), "--out", os.path.join(dep, "_site"), "--db", db]
    log = os.path.join(dep, "server.log")
    if kind == "serve":
        args = [os.path.join(bin_dir, "gitfolio"), "serve", "--port", str(port)] + common
    else:
        run([os.path.join(bin_dir, "gitfolio"), "build"] + common, env=env)
        run([os.path.join(bin_dir, "gitfolio"), "deploy", "--dir", os.path.join(dep, "deploy"), "--port", str(port),
             "--functions", bin_dir] + common, env=env)
        lighttpd = shutil.which("lighttpd") or "/usr/sbin/lighttpd"
        args = [lighttpd, "-D", "-f", os.path.join(dep, "deploy", "lighttpd.conf")]
    proc = subprocess.Popen(args, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    wait_port(port, proc, log)
    if kind == "serve":  # serve answers once its first build is written
        deadline = time.time() + 300
        while not os.path.exists(os.path.join(dep, "_site", "hub", "index.html")) and time.time() < deadline:
            time.sleep(0.2)
    write_pages(os.path.join(dep, "_site"), data)
    return proc, port, db


def to_ms(us):
    return us / 1000.0


def wrk(port, mix, connections, duration, data, offset):
    threads = min(2, connections)
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s",
            "-s", LUA, f"http://127.0.0.1:{port}", "--", mix, data, str(offset), str(threads)]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    m = re.search(r"LOADRESULT (\{.*\})", out)
    if not m:
        sys.exit("wrk gave no result:\n" + out)
    result = json.loads(m.group(1))
    result["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return result


def check_writes(db_path, like_pairs, unlike_pairs, members, lo, hi, comment_marker):
    """How many of the pairs used in [lo, hi) are liked / no longer liked, and the run's comments."""
    db = sqlite3.connect(db_path, timeout=30)
    liked = sum(1 for c, r in like_pairs[lo:hi] if db.execute(
        "SELECT 1 FROM resume_like WHERE member_id = ? AND resume_id = ?", (members[c], r)).fetchone())
    unliked = sum(1 for c, r in unlike_pairs[lo:hi] if not db.execute(
        "SELECT 1 FROM resume_like WHERE member_id = ? AND resume_id = ?", (members[c], r)).fetchone())
    comments = db.execute("SELECT count(*) FROM comment WHERE body LIKE ?", (comment_marker,)).fetchone()[0]
    drift = db.execute("SELECT count(*) FROM resume WHERE like_count != (SELECT count(*) FROM resume_like l WHERE l.resume_id = resume.id) "
                       "OR comment_count != (SELECT count(*) FROM comment c WHERE c.resume_id = resume.id)").fetchone()[0]
    db.close()
    return liked, unliked, comments, drift


def backup_during(bin_dir, db, out, delay, record):
    """`gitfolio backup` of the live file `delay` seconds into a write level; then the copy checked."""
    def run_backup():
        time.sleep(delay)
        start = time.time()
        r = subprocess.run([os.path.join(bin_dir, "gitfolio"), "backup", "--db", db, "--out", out], capture_output=True, text=True)
        record["seconds"] = time.time() - start
        record["status"] = r.returncode
        record["output"] = (r.stdout + r.stderr).strip()
    thread = threading.Thread(target=run_backup)
    thread.start()
    return thread


def verify_backup(bin_dir, out, record):
    record.update(check=False, drift=-1, bytes=0)
    if record.get("status") != 0 or not os.path.exists(out):
        return
    r = subprocess.run([os.path.join(bin_dir, "gitfolio"), "restore", "--check", "--from", out], capture_output=True, text=True)
    record["check"] = r.returncode == 0 and "integrity ok" in r.stdout
    c = sqlite3.connect(out)
    record["drift"] = c.execute("SELECT count(*) FROM resume WHERE like_count != (SELECT count(*) FROM resume_like l WHERE l.resume_id = resume.id)").fetchone()[0]
    record["bytes"] = os.path.getsize(out)
    c.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bin_dir")
    parser.add_argument("--levels", default="1,4,16,64,256")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--deployments", default="serve,cgi")
    parser.add_argument("--mixes", default="read,write")
    parser.add_argument("--resumes", type=int, default=200)
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--keep", help="keep the work folder here")
    parser.add_argument("--no-backup", action="store_true", help="do not take a backup in the middle of each write level")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    work = args.keep or tempfile.mkdtemp(prefix="gitfolio-load-")
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
    print(f"preparing a hub of {args.resumes} public resumes and {args.readers} more members in {work}", file=sys.stderr)
    data, backup, like_pairs, unlike_pairs, members = prepare(args.bin_dir, work, args.resumes, args.readers)
    rows = []
    held = {}
    backups = []
    for kind in args.deployments.split(","):
        proc, port, db = start(kind, args.bin_dir, work, backup, data)
        offset = 0
        try:
            for mix in args.mixes.split(","):
                held[(kind, mix)] = 0
                clean = True
                failed = False
                for c in levels:
                    if failed:
                        break
                    comments_before = check_writes(db, [], [], members, 0, 0, "load %")[2]
                    backing_up = None
                    if mix == "write" and not args.no_backup:
                        record = {"kind": kind, "c": c, "out": os.path.join(work, f"backup-{kind}-{c}.sqlite")}
                        backing_up = backup_during(args.bin_dir, db, record["out"], args.duration / 2, record)
                    r = wrk(port, mix, c, args.duration, data, offset)
                    if backing_up:
                        backing_up.join()
                        verify_backup(args.bin_dir, record["out"], record)
                        backups.append(record)
                        if os.path.exists(record["out"]):
                            os.unlink(record["out"])
                    ok_statuses = {"200", "201"}
                    statuses = r["statuses"]
                    rate_limited = statuses.get("429", 0)
                    errors = sum(v for s, v in statuses.items() if s not in ok_statuses and s != "429") + r["socket_errors"]
                    writes = ""
                    if mix == "write":
                        time.sleep(1)  # requests wrk left in flight finish
                        liked, unliked, comments, drift = check_writes(db, like_pairs, unlike_pairs, members, offset,
                                                                       r["next_offset"], "load %")
                        answered = r["counts"]["liked"] + r["counts"]["unliked"]
                        landed = liked + unliked
                        lost = max(0, r["counts"]["liked"] - liked) + max(0, r["counts"]["unliked"] - unliked)
                        comment_db = comments - comments_before
                        lost += max(0, r["counts"]["comment"] - comment_db)
                        writes = (f"{answered + r['counts']['comment']} / {landed + comment_db} / {lost}"
                                  + (f" / drift {drift}" if drift else ""))
                        offset = r["next_offset"]
                        if lost or drift:
                            errors += lost + drift
                    row = {"kind": kind, "mix": mix, "c": c, "rps": r["rps"], "p50": to_ms(r["p50_us"]), "p99": to_ms(r["p99_us"]),
                           "errors": errors, "429": rate_limited, "writes": writes, "codes": r["codes"],
                           "requests": r["requests"]}
                    rows.append(row)
                    print(f"{kind} {mix} c={c}: {r['rps']:.0f} req/s, p50 {row['p50']:.1f} ms, p99 {row['p99']:.1f} ms, "
                          f"errors {errors}, 429 {rate_limited}, writes {writes} {r['codes'] or ''}", file=sys.stderr)
                    if errors == 0 and clean:
                        held[(kind, mix)] = c
                    else:
                        clean = False
                    if errors > r["requests"] * 0.05 or row["p99"] > 20000:
                        failed = True
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        check = sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0]
        print(f"{kind}: integrity_check {check}", file=sys.stderr)
        rows.append({"kind": kind, "integrity": check})

    print("| deployment | mix | connections | req/s | p50 ms | p99 ms | errors | 429 | writes answered / in db / lost |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for row in rows:
        if "integrity" in row:
            continue
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(row["codes"].items()))
        print(f"| {row['kind']} | {row['mix']} | {row['c']} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p99']:.1f} | "
              f"{row['errors']} | {row['429']} | {row['writes']} |" + (f" {codes}" if codes else ""))
    print()
    for (kind, mix), c in held.items():
        print(f"- {kind}, {mix} mix: 0 errors up to {c} connections" if c else f"- {kind}, {mix} mix: errors from the first level")
    for row in rows:
        if "integrity" in row:
            print(f"- {row['kind']}: PRAGMA integrity_check after the run: {row['integrity']}")
    if backups:
        print()
        print("| `gitfolio backup` during the write mix | connections | seconds | size MB | restore --check | counts = rows |")
        print("| --- | ---: | ---: | ---: | --- | --- |")
        for b in backups:
            print(f"| {b['kind']} | {b['c']} | {b['seconds']:.2f} | {b['bytes'] / 1e6:.1f} | "
                  f"{'ok' if b['status'] == 0 and b['check'] else 'FAILED: ' + b['output'][-200:]} | {'yes' if b['drift'] == 0 else 'NO'} |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
