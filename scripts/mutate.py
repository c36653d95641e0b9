#!/usr/bin/env python3
"""Single-line mutation testing for Gitfolio: does the suite catch the next plausible bug?

Each mutation below changes one line of the product (a check removed, a comparison loosened, a
constant changed). For each: apply it to a copy of the repository, build, run the tests that
should notice, record caught or not, restore. The score and the table go to stdout and, with
--out, to a Markdown file (docs/RELIABILITY.md quotes it).

    scripts/mutate.py                      # all mutations, in a copy at /tmp/gitfolio-mutants
    scripts/mutate.py --only csrf-same-site,undo-version
    scripts/mutate.py --full               # run the whole Swift suite for each mutant (slow)
    scripts/mutate.py --repeat 5           # run each mutant's tests 5 times ("caught only sometimes")
    scripts/mutate.py --in-place           # mutate this working tree and its .build (incremental builds)

The copy is `git archive HEAD` of this repository (commit first), built with its own .build, so
mutating never touches the working tree; the first build there takes as long as a clean build,
later ones are incremental. A mutant whose build fails is reported as such (not counted).
With --in-place the mutations are applied to this working tree instead (each file restored at once,
even on Ctrl-C), which saves the copy's first build; the mutated files must have no uncommitted
changes, and nothing else may build here meanwhile.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# id, file, the exact line fragment to replace (must occur once), the replacement, the tests
# (a --filter regular expression), what the bug would be.
MUTATIONS = [
    # The seven that a run of sixteen on main did not catch (issue 14), and the one caught sometimes.
    ("csrf-same-site", "Sources/FunctionCore/Web.swift",
     'guard site == "same-origin" || site == "none" else {',
     'guard site == "same-origin" || site == "none" || site == "same-site" else {',
     "RouteTableTests|MeTests", "Sec-Fetch-Site: same-site accepted as same-origin"),
    ("revise-no-origin-check", "Sources/GitfolioFunctions/Revise.swift",
     "        try s.config.requireSameOrigin(request)\n        let member = try s.requireMember(request)\n        let body = try request.jsonBody()",
     "        let member = try s.requireMember(request)\n        let body = try request.jsonBody()",
     "RouteTableTests|ReviseTests|AcceptUndoTests", "the same-origin check removed from /api/revise"),
    ("undo-version", "Sources/GitfolioStore/Resumes.swift",
     "guard version == expectedVersion else { throw StoreError.versionConflict(current: Int(version)) }",
     "_ = expectedVersion",
     "AcceptUndoTests|ResumeFunctionTests", "the version check removed from undo"),
    ("grounding-case", "Sources/GitfolioResume/Grounding.swift",
     "while let r = text.range(of: name, options: .caseInsensitive, range: start..<text.endIndex) {",
     "while let r = text.range(of: name, options: [], range: start..<text.endIndex) {",
     "ResumeWriterTests|ReviseTests|LLMGenerateTests", "technology names matched case-sensitively in the grounding check"),
    ("grounding-troubleshooting", "Sources/GitfolioResume/Grounding.swift",
     "for i in p.troubleshooting.indices {",
     "for i in p.troubleshooting.indices.prefix(0) {",
     "ResumeWriterTests", "the grounding check's troubleshooting parts removed"),
    ("cgi-negative-length", "Sources/FunctionCore/CGI.swift",
     'guard lengthText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let length = Int(lengthText) else {',
     "guard let length = Int(lengthText) else {",
     "FunctionProtocolTests|ExecutableTests|ProcessFuzzTests", "a negative CONTENT_LENGTH accepted"),
    ("cookie-max-age", "Sources/GitfolioFunctions/Sessions.swift",
     "maxAge: Int(Database.sessionLifetimeSeconds), request: request)",
     "maxAge: Int(Database.sessionLifetimeSeconds) * 1000, request: request)",
     "OAuthFlowTests|MeTests|SessionFunctionTests", "the session cookie's Max-Age multiplied by 1000"),
    ("quota-not-atomic", "Sources/GitfolioStore/Quota.swift",
     "        try write { db in\n            guard let plan",
     "        try read { db in\n            guard let plan",
     "OriginalDefectsTests|GenerateQuotaTests", "the AI-use charge outside a write transaction (check-then-act)"),
    # More plausible bugs.
    ("quota-off-by-one", "Sources/GitfolioStore/Quota.swift",
     "guard used < limits.aiUsesPerDay else",
     "guard used <= limits.aiUsesPerDay else",
     "OriginalDefectsTests|GenerateQuotaTests|ReviseTests", "one AI use more than the plan allows"),
    ("no-refund", "Sources/GitfolioFunctions/Revise.swift",
     "            try? s.database.refundAIUse(id: use)",
     "            _ = use",
     "OriginalDefectsTests|ReviseTests", "a failed revision keeps its charge"),
    ("no-refund-generate", "Sources/GitfolioFunctions/Generate.swift",
     "            try? s.database.refundAIUse(id: use)",
     "            _ = use",
     "GenerateQuotaTests|LLMGenerateTests|GitHubImportTests|OriginalDefectsTests", "a failed generation keeps its charge"),
    ("like-own", "Sources/StoreCore/Hub.swift",
     "guard owner != memberID else { throw StoreError.ownResume }",
     "_ = owner",
     "LikeTests|OriginalDefectsTests", "a member likes their own resume"),
    ("views-owner", "Sources/StoreCore/Hub.swift",
     "if viewerID != owner {",
     "if viewerID != owner || true {",
     "ViewTests|OriginalDefectsTests", "the owner's own views counted"),
    ("private-hub", "Sources/StoreCore/Hub.swift",
     "SELECT member_id, like_count, view_count, comment_count FROM resume WHERE id = ? AND visibility = 'PUBLIC'",
     "SELECT member_id, like_count, view_count, comment_count FROM resume WHERE id = ?",
     "LikeTests|ViewTests|CommentTests|OriginalDefectsTests|RouteTableTests", "private resumes liked, viewed and their comments read"),
    ("delete-any-resume", "Sources/GitfolioStore/Resumes.swift",
     'try db.execute("DELETE FROM resume WHERE id = ? AND member_id = ?", [id, memberID])',
     'try db.execute("DELETE FROM resume WHERE id = ? AND ? > 0", [id, memberID])',
     "OriginalDefectsTests|RouteTableTests|ResumeFunctionTests", "any member deletes any resume"),
    ("comment-edit-anyone", "Sources/GitfolioStore/Hub.swift",
     'guard row.int64("member_id") == memberID else { throw StoreError.notYourComment }',
     '_ = row',
     "CommentTests|RouteTableTests", "anyone edits any comment"),
    ("xff-anyone", "Sources/FunctionCore/Web.swift",
     'guard trustedProxies.contains(request.sourceIp), let forwarded = request.header("x-forwarded-for") else { return request.sourceIp }',
     'guard let forwarded = request.header("x-forwarded-for") else { return request.sourceIp }',
     "ViewTests|OriginalDefectsTests|RateLimitTests", "X-Forwarded-For believed from any client"),
    ("session-expiry", "Sources/StoreCore/Members.swift",
     "WHERE session.token_hash = ? AND session.expires_at > ?",
     "WHERE session.token_hash = ? AND ? > 0",
     "MeTests|SessionFunctionTests", "expired sessions accepted (by the functions on Foundation)"),
    ("oauth-state-reuse", "Sources/GitfolioStore/Members.swift",
     'guard let row = try db.one("DELETE FROM oauth_state WHERE state_hash = ? RETURNING scope, return_to, expires_at", [hash])',
     'guard let row = try db.one("SELECT scope, return_to, expires_at FROM oauth_state WHERE state_hash = ?", [hash])',
     "OAuthFlowTests|StoreTests", "an OAuth state usable twice"),
    ("cookie-httponly", "Sources/FunctionCore/Cookies.swift",
     '"\\(name)=\\(value); Path=\\(path); Max-Age=\\(maxAge); HttpOnly; SameSite=Lax"',
     '"\\(name)=\\(value); Path=\\(path); Max-Age=\\(maxAge); SameSite=Lax"',
     "OAuthFlowTests|MeTests|SessionFunctionTests", "the session cookie readable by scripts"),
    ("csrf-header-ignored", "Sources/FunctionCore/Web.swift",
     '} else if request.header("x-gitfolio-csrf") == nil {',
     '} else if request.header("x-gitfolio-csrf") == nil && false {',
     "RouteTableTests|MeTests", "a state change without Origin, Sec-Fetch-Site or the CSRF header accepted"),
    ("host-ignored", "Sources/FunctionCore/Web.swift",
     "guard isKnownHost(request) else {",
     "guard isKnownHost(request) || true else {",
     "RouteTableTests|MeTests", "a DNS-rebinding page's Host accepted"),
    ("grounding-numbers", "Sources/GitfolioResume/Grounding.swift",
     "for n in Self.numbers(in: text) where !numbers.contains(n) {",
     "for n in Self.numbers(in: text) where !numbers.contains(n) && n.isEmpty {",
     "ResumeWriterTests|ReviseTests|LLMGenerateTests", "invented numbers pass the grounding check"),
    ("httpoxy", "Sources/FunctionCore/CGI.swift",
     'if key == "HTTP_PROXY" { continue }',
     'if key == "HTTP_PROXY_NEVER" { continue }',
     "FunctionProtocolTests|ExecutableTests", "a client's Proxy: header becomes HTTP_PROXY (httpoxy)"),
    ("json-depth", "Sources/FunctionCore/JSON.swift",
     "public static let maxDepth = 512",
     "public static let maxDepth = 1_000_000",
     "FunctionCoreTests|ProcessFuzzTests", "unbounded JSON nesting (a stack overflow on deep input)"),
    ("cgi-body-limit", "Sources/FunctionCore/CGI.swift",
     "if length > FunctionLimits.maxBodyBytes { throw .payloadTooLarge() }",
     "_ = FunctionLimits.maxBodyBytes",
     "FunctionProtocolTests|ProcessFuzzTests", "no body limit under CGI"),
    ("unknown-fields", "Sources/FunctionCodable/JSONCoding.swift",
     "if let unknown = members.keys.sorted().first(where: { !asked.keys.contains($0) }) {",
     "if let unknown = members.keys.sorted().first(where: { !asked.keys.contains($0) && false }) {",
     "MeTests|GenerateQuotaTests|OriginalDefectsTests|RouteTableTests", "unknown fields in a request body ignored"),
    # After the hub and the payments (issue 14's second half): payments, rate limits, escaping, paths.
    ("pay-constant-order-id", "Sources/GitfolioFunctions/Subscription.swift",
     'let orderID = "gitfolio-m\\(member.id)-" + Secrets.randomToken(bytes: 12)',
     'let orderID = "gitfolio-m\\(member.id)-order"',
     "SubscriptionTests|OriginalDefectsTests", "partner_order_id a constant (per member)"),
    ("pay-approval-any-member", "Sources/GitfolioStore/Billing.swift",
     "            let checkout = try Checkout(row: row)\n            guard checkout.memberID == memberID else { throw BillingError.notYourCheckout }\n            switch checkout.status {",
     "            let checkout = try Checkout(row: row)\n            switch checkout.status {",
     "SubscriptionTests|RouteTableTests|OriginalDefectsTests", "another member's KakaoPay approval URL accepted"),
    ("pay-declined-extends", "Sources/GitfolioStore/Nightly.swift",
     "            try Self.notify(db, subscription.memberID, .chargeDeclined, date, t)\n            return false",
     "            try db.execute(\"UPDATE subscription SET paid_until = date(paid_until, '+1 month') WHERE id = ?\", [subscription.id])\n"
     "            try Self.notify(db, subscription.memberID, .chargeDeclined, date, t)\n            return false",
     "NightlyTests", "a declined monthly charge still extends the subscription"),
    ("rate-limit-never", "Sources/StoreCore/RateLimits.swift",
     "if count > bucket.max {",
     "if count > bucket.max * 1000 {",
     "RateLimitTests", "the rate limits never refuse"),
    ("rate-limit-no-address", "Sources/StoreCore/RateLimits.swift",
     "if let addressKey, let max = limit.perAddress {",
     "if let addressKey, let max = limit.perAddress, addressKey.isEmpty {",
     "RateLimitTests", "no limit per client address"),
    ("like-no-rate-limit", "Sources/HubFunctions/LikeFunction.swift",
     "            try database.take(RateLimits.like, memberID: member.id, request: request, config: config, now: now)\n",
     "",
     "RateLimitTests", "like without its rate limit"),
    ("html-escape-lt", "Sources/GitfolioCore/HTML.swift",
     'case "<": out += "&lt;"',
     'case "<": out += "<"',
     "SecurityReviewTests|RenderTests|SiteBuilderTests|HubSiteTests", "< not escaped in pages"),
    ("static-dot-segments", "Sources/GitfolioCLI/StaticSite.swift",
     'guard !parts.contains(where: { $0.hasPrefix(".") }) else { return nil }',
     'guard !parts.contains(where: { $0 == "." }) else { return nil }',
     "ServeHardeningTests", "dot segments (..) allowed in static paths"),
    ("cookie-samesite", "Sources/FunctionCore/Cookies.swift",
     'Max-Age=\\(maxAge); HttpOnly; SameSite=Lax"',
     'Max-Age=\\(maxAge); HttpOnly"',
     "ProcessFuzzTests|OAuthFlowTests|SessionFunctionTests", "cookies without SameSite=Lax"),
    # Issue 14's last gaps: serve's inherited descriptors, revise's kill window, upstream timeouts.
    ("serve-keeps-inherited", "Sources/gitfolio/main.swift",
     'if CommandLine.arguments.dropFirst().first == "serve" { Descriptors.closeInherited() }',
     "_ = CommandLine.arguments",
     "ServeHardeningTests", "serve keeps the descriptors it inherited (past its limit: every function start fails)"),
    ("serve-closes-inherited-sockets", "Sources/GitfolioCLI/Descriptors.swift",
     "if status.st_mode & S_IFMT == S_IFSOCK {",
     "if status.st_mode & S_IFMT == S_IFSOCK && false {",
     "ServeHardeningTests", "serve closes the sockets it inherited (its parent's watcher then waits for serve at once)"),
    ("revise-use-without-result", "Sources/GitfolioFunctions/Revise.swift",
     "try s.database.settleAIUse(id: use, requestKey: requestKey, result: replacement)",
     "try s.database.settleAIUse(id: use)",
     "FaultTests|ReviseTests", "a revision's use kept without its rewrite (kept for nothing if killed before answering)"),
    ("timeout-is-502", "Sources/FunctionCore/APIError.swift",
     "APIError(status: 504, code: code, message: message, korean: korean)",
     "APIError(status: 502, code: code, message: message, korean: korean)",
     "FaultTests|KakaoPayClientTests|LLMClientTests", "an upstream timeout answered 502, like a bad answer"),
]


def run(cmd, cwd, timeout=None, log=None):
    started = time.time()
    try:
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        output = proc.stdout.decode(errors="replace")
        code = proc.returncode
    except subprocess.TimeoutExpired as e:
        output = (e.stdout or b"").decode(errors="replace") + "\n[timed out]"
        code = -1
    if log:
        with open(log, "a") as f:
            f.write(f"$ {' '.join(cmd)}  ({time.time() - started:.0f} s, exit {code})\n{output[-20000:]}\n")
    return code, output, time.time() - started


def prepare(work):
    if os.path.exists(os.path.join(work, "Package.swift")):
        # Refresh the sources, keep .build for incremental builds.
        for entry in os.listdir(work):
            if entry not in (".build",):
                path = os.path.join(work, entry)
                shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)
    os.makedirs(work, exist_ok=True)
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, stdout=subprocess.PIPE, check=True).stdout
    subprocess.run(["tar", "-x", "-C", work], input=archive, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default="/tmp/gitfolio-mutants", help="where the copy is built")
    parser.add_argument("--only", help="comma-separated mutation ids")
    parser.add_argument("--full", action="store_true", help="run the whole Swift suite for each mutant")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each mutant's tests (caught if any fails)")
    parser.add_argument("--out", help="write the Markdown table here")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--in-place", action="store_true", help="mutate this working tree (its .build is reused)")
    parser.add_argument("--skip-baseline", action="store_true", help="do not run the unmutated tests first (they were just run)")
    args = parser.parse_args()

    chosen = [m for m in MUTATIONS if not args.only or m[0] in args.only.split(",")]
    if args.list:
        for m in chosen:
            print(f"{m[0]:28} {m[1]:45} {m[5]}")
        return 0
    work = ROOT if args.in_place else args.work
    log = os.path.join(args.work + "-log.txt")
    open(log, "w").close()
    if args.in_place:
        dirty = subprocess.run(["git", "status", "--porcelain", "--"] + sorted({m[1] for m in chosen}), cwd=ROOT,
                               stdout=subprocess.PIPE, check=True).stdout.decode().strip()
        if dirty:
            print("uncommitted changes in files to mutate:\n" + dirty)
            return 2
    else:
        prepare(work)
    # The unmutated suite must pass first, or nothing below means anything.
    print("==> baseline build", flush=True)
    code, out, secs = run(["swift", "build", "--build-tests"], work, log=log)
    if code != 0:
        print(out[-4000:])
        return 2
    filters = "|".join(sorted({m[4] for m in chosen}))
    if not args.skip_baseline:
        code, out, secs = run(["swift", "test", "--skip-build", "--disable-xctest"] + ([] if args.full else ["--filter", filters]), work,
                              timeout=3600, log=log)
        if code != 0:
            print("the unmutated suite fails; fix that first (see " + log + ")")
            return 2
        print(f"    baseline passes ({secs:.0f} s)", flush=True)

    results = []
    for (ident, file, find, replace, tests, what) in chosen:
        path = os.path.join(work, file)
        original = open(path, encoding="utf-8").read()
        if original.count(find) != 1:
            results.append((ident, what, "stale", 0, f"the line occurs {original.count(find)} times"))
            print(f"--- {ident}: stale (the line occurs {original.count(find)} times)", flush=True)
            continue
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original.replace(find, replace))
            code, out, build_secs = run(["swift", "build", "--build-tests"], work, log=log)
            if code != 0:
                results.append((ident, what, "build fails", 0, ""))
                print(f"--- {ident}: the mutant does not build", flush=True)
                continue
            caught_runs = 0
            failing = ""
            test_secs = 0.0
            for _ in range(args.repeat):
                cmd = ["swift", "test", "--skip-build", "--disable-xctest"] + ([] if args.full else ["--filter", tests])
                code, out, secs = run(cmd, work, timeout=1800, log=log)
                test_secs += secs
                if code != 0:
                    caught_runs += 1
                    if not failing:
                        failing = next((line.strip() for line in out.splitlines() if line.startswith("✘ Test") and "recorded" not in line), "")
            verdict = "caught" if caught_runs == args.repeat else ("sometimes" if caught_runs else "NOT caught")
            results.append((ident, what, verdict, caught_runs, failing[:160]))
            print(f"--- {ident}: {verdict} ({caught_runs}/{args.repeat}; build {build_secs:.0f} s, tests {test_secs:.0f} s) {failing[:120]}",
                  flush=True)
            render(results, args)
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original)

    table = render(results, args)
    print("\n" + table)
    counted = [r for r in results if r[2] in ("caught", "sometimes", "NOT caught")]
    return 0 if all(r[2] == "caught" for r in counted) else 1


def render(results, args):
    """The score and the table so far (written to --out after every mutant, so a stopped run keeps its results)."""
    counted = [r for r in results if r[2] in ("caught", "sometimes", "NOT caught")]
    caught = sum(1 for r in counted if r[2] == "caught")
    lines = [f"Mutation score: **{caught} of {len(counted)} caught**" + (f" (each mutant's tests run {args.repeat} times)" if args.repeat > 1 else ""),
             "", "| mutation | the bug | verdict | first failing test |", "| --- | --- | --- | --- |"]
    for ident, what, verdict, _, failing in results:
        lines.append(f"| `{ident}` | {what} | {verdict} | {failing.replace('|', '/')} |")
    table = "\n".join(lines)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")
    return table

if __name__ == "__main__":
    sys.exit(main())
