import Foundation
import GitfolioCore
import GitfolioTestSupport
import Testing

/// Tables over every function route (`FunctionCatalog.names`, the list Package.swift declares), run
/// against the built executables: a function added to the catalogue is covered by the cross-site
/// table at once, and the authorization table fails until its row says what the function owns.
@Suite struct RouteTableTests {
    static let methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    static let crossSiteCodes: Set<String> = ["cross_site_request", "csrf_header_missing", "unknown_host"]

    /// Cross-site variants of a state-changing request and the refusal each must get. The session
    /// cookie is valid in all of them: SameSite=Lax does not stop a same-site page, and a
    /// top-level cross-site form POST is what the Origin check is for.
    static let hostile: [(name: String, headers: [String: String], code: String)] = [
        ("another site's Origin", ["origin": "https://evil.example"], "cross_site_request"),
        ("an Origin that only starts like ours", ["origin": "http://127.0.0.1:8080.evil.example"], "cross_site_request"),
        ("our host on another port", ["origin": "http://127.0.0.1:8081"], "cross_site_request"),
        ("our host over another scheme", ["origin": "https://127.0.0.1:8080"], "cross_site_request"),
        ("Origin: null (a sandboxed frame or a redirect)", ["origin": "null"], "cross_site_request"),
        ("another site's Origin with the CSRF header", ["origin": "https://evil.example", "x-gitfolio-csrf": "1"], "cross_site_request"),
        ("Sec-Fetch-Site: same-site (a sibling subdomain)", ["sec-fetch-site": "same-site"], "cross_site_request"),
        ("Sec-Fetch-Site: cross-site", ["sec-fetch-site": "cross-site"], "cross_site_request"),
        ("no Origin, no Sec-Fetch-Site, no CSRF header", [:], "csrf_header_missing"),
        ("a rebinding page's Host and Origin", ["origin": "http://rebind.example:8080", "host": "rebind.example:8080"], "unknown_host"),
    ]

    /// Bodies in the shapes of every function's state changes, so a function that checked its
    /// input before the origin would show it (the refusal must come first, whatever the body).
    static func bodies(_ w: FunctionWorld) -> [String] {
        [
            #"{"resumeId":\#(w.publicResume)}"#,
            #"{"id":\#(w.publicResume),"version":1,"visibility":"PRIVATE"}"#,
            #"{"id":\#(w.comment),"body":"edited"}"#,
            #"{"action":"accept","resumeId":\#(w.publicResume),"path":"aboutMe","text":"x","version":1}"#,
            #"{"action":"language","id":\#(w.publicResume),"version":1,"language":"en"}"#,
            #"{"readAll":true}"#,
            #"{"name":"changed"}"#,
            #"{"confirm":"other"}"#,
            #"{"login":"other","name":"x"}"#,
            #"{"repositories":["other/x"]}"#,
            #"{"language":"ko"}"#,
            #"{"deleteAccount":true,"confirm":"other"}"#,
        ]
    }

    /// (`pay-webhook` is the one GET that changes state: KakaoPay sends the member's browser there
    /// from its own site, so it cannot require our Origin. Its `attempt` is an unguessable token bound
    /// to the member who started the payment: the authorization table below shows another member's
    /// token refused, and here a cross-site GET without one changes nothing.)
    ///
    /// Every function, every state-changing method it answers (found from its 405s), every
    /// cross-site variant: refused with the variant's code, and the database unchanged. The same
    /// requests from the site itself then pass the check (so the refusals are the check's).
    /// GET is not a state change: a cross-site GET with the same bodies changes nothing either.
    @Test(arguments: FunctionCatalog.names)
    func crossSiteRequestsNeverChangeState(function: String) async throws {
        let w = try FunctionWorld(label: "gitfolio-xsite")
        defer { w.remove() }
        let before = try w.snapshot()
        var requests: [(method: String, variant: String, code: String?, request: FunctionRequest)] = []
        for method in Self.methods {
            for variant in Self.hostile {
                var headers = variant.headers
                if headers["host"] == nil { headers["host"] = "127.0.0.1:8080" }
                for body in Self.bodies(w) {
                    requests.append((method, variant.name, method == "GET" ? nil : variant.code,
                                     w.request(method, function, cookie: w.otherCookie, query: "resumeId=\(w.publicResume)", json: body,
                                               headers: headers)))
                }
            }
        }
        let answers = try await w.run(function, requests.map(\.request))
        var served: Set<String> = []
        for (sent, answer) in zip(requests, answers) {
            if answer.statusCode == 405 {
                #expect(!answer.allowedMethods.contains(sent.method), "\(function) \(sent.method): 405 but Allow names it")
                continue
            }
            served.insert(sent.method)
            #expect(answer.statusCode != 500, "\(function) \(sent.method) [\(sent.variant)]: \(answer.bodyText)")
            if let code = sent.code {
                #expect(answer.statusCode == 403 && answer.errorShape?.code == code,
                        "\(function) \(sent.method) [\(sent.variant)] was not refused as \(code): \(answer.statusCode) \(answer.bodyText.prefix(300))")
            }
        }
        #expect(served.contains { $0 != "PATCH" }, "\(function) answered no method at all")
        #expect(try w.snapshot() == before, "\(function): a cross-site request changed the database")

        // The control: the same state changes from the site itself are not refused as cross-site.
        var controls: [FunctionRequest] = []
        for method in served where method != "GET" {
            for headers in [["origin": FunctionWorld.site], ["x-gitfolio-csrf": "1"], ["sec-fetch-site": "same-origin"]] {
                controls += Self.bodies(w).map {
                    w.request(method, function, cookie: w.otherCookie, query: "resumeId=\(w.publicResume)", json: $0, headers: headers)
                }
            }
        }
        for (request, answer) in zip(controls, try await w.run(function, controls)) {
            #expect(!(answer.statusCode == 403 && Self.crossSiteCodes.contains(answer.errorShape?.code ?? "")),
                    "\(function) \(request.method) from the site itself was refused: \(answer.bodyText.prefix(300))")
        }
    }

    // MARK: - Authorization

    /// One request of the authorization table: `other` (signed in) reaches for `owner`'s things.
    struct Reach {
        var method: String
        var query: String = ""
        var body: String?
        /// The answer it must get (status and error code; nil code: a success that shows only the caller's own data).
        var status: Int
        var code: String?
        var headers: [String: String] = [:]
    }

    /// What each function owns and how `other` must be refused. Every function in the catalogue must
    /// have a row: a new function fails `everyFunctionHasARow` until its row is written.
    static func reaches(_ w: FunctionWorld) -> [String: [Reach]] {
        let pub = w.publicResume, priv = w.privateResume, owner = w.owner.id, other = w.other.id
        return [
            // The OAuth flow is bound to the browser that started it (the state cookie), never to a member named in the query.
            "auth-callback": [Reach(method: "GET", query: "code=x&state=somebody-elses&memberId=\(owner)", status: 400, code: "invalid_state")],
            "comment": [
                Reach(method: "PUT", body: #"{"id":\#(w.comment),"body":"mine now"}"#, status: 403, code: "not_your_comment"),
                Reach(method: "DELETE", body: #"{"id":\#(w.comment)}"#, status: 403, code: "not_your_comment"),
                Reach(method: "GET", query: "resumeId=\(priv)", status: 404, code: "resume_not_found"),
                Reach(method: "POST", body: #"{"resumeId":\#(priv),"body":"hello"}"#, status: 404, code: "resume_not_found"),
            ],
            // Generation reads only the caller's own GitHub import with the caller's own token
            // (OriginalDefectsTests: the "about me" from the server's account); no field names a member.
            "generate": [
                Reach(method: "POST", body: #"{"repositories":["owner/x"],"memberId":\#(owner)}"#, status: 400, code: "unknown_field"),
            ],
            "like": [
                Reach(method: "POST", body: #"{"resumeId":\#(priv)}"#, status: 404, code: "resume_not_found"),
                Reach(method: "DELETE", body: #"{"resumeId":\#(priv)}"#, status: 404, code: "resume_not_found"),
                Reach(method: "POST", body: #"{"resumeId":\#(pub),"memberId":\#(owner)}"#, status: 400, code: "unknown_field"),
            ],
            // The local sign-in is off outside `serve` on loopback: nobody signs in as another login.
            "login": [Reach(method: "POST", body: #"{"login":"owner","name":"owner"}"#, status: 403, code: "local_signin_disabled")],
            // Ends only the caller's session (the owner's stays valid: checked below).
            "logout": [Reach(method: "POST", query: "memberId=\(owner)", body: #"{"memberId":\#(owner)}"#, status: 200, code: nil)],
            "me": [
                Reach(method: "PUT", query: "memberId=\(owner)", body: #"{"id":\#(owner),"name":"taken"}"#, status: 400, code: "unknown_field"),
                Reach(method: "GET", query: "memberId=\(owner)&id=\(owner)", status: 200, code: nil, headers: ["x-member-id": "\(owner)"]),
                Reach(method: "DELETE", query: "memberId=\(owner)", body: #"{"confirm":"owner"}"#, status: 400, code: "confirmation_required"),
            ],
            "notifications": [
                Reach(method: "POST", body: #"{"read":\#(w.ownerNotification)}"#, status: 404, code: "notification_not_found"),
                Reach(method: "GET", query: "memberId=\(owner)", status: 200, code: nil),
            ],
            // The caller's own GitHub import only (a local member has none: 409, whoever is named).
            "repositories": [Reach(method: "GET", query: "memberId=\(owner)", status: 409, code: "github_not_linked")],
            "resume": [
                Reach(method: "GET", query: "id=\(priv)", status: 404, code: "resume_not_found"),
                Reach(method: "GET", query: "id=\(pub)", status: 404, code: "resume_not_found"),
                Reach(method: "GET", query: "id=\(priv)&format=pdf", status: 404, code: "resume_not_found"),
                Reach(method: "GET", query: "memberId=\(owner)", status: 200, code: nil),
                Reach(method: "PUT", body: #"{"id":\#(priv),"version":1,"visibility":"PUBLIC"}"#, status: 404, code: "resume_not_found"),
                Reach(method: "PUT", body: #"{"id":\#(pub),"version":1,"template":"STAR"}"#, status: 404, code: "resume_not_found"),
                Reach(method: "PUT", body: #"{"id":\#(pub),"version":1,"title":"mine"}"#, status: 404, code: "resume_not_found"),
                Reach(method: "DELETE", body: #"{"id":\#(pub)}"#, status: 404, code: "resume_not_found"),
                Reach(method: "DELETE", body: #"{"id":\#(priv)}"#, status: 404, code: "resume_not_found"),
                Reach(method: "POST", body: #"{"action":"language","id":\#(pub),"version":1,"language":"en"}"#, status: 404, code: "resume_not_found"),
                Reach(method: "POST", body: #"{"action":"language","id":\#(priv),"version":1,"language":"en"}"#, status: 404, code: "resume_not_found"),
            ],
            "revise": [
                Reach(method: "POST", body: #"{"resumeId":\#(pub),"path":"aboutMe","start":0,"end":2,"instruction":"x"}"#, status: 404, code: "resume_not_found"),
                Reach(method: "POST", body: #"{"action":"accept","resumeId":\#(pub),"path":"aboutMe","text":"mine","version":1}"#, status: 404, code: "resume_not_found"),
                Reach(method: "POST", body: #"{"action":"undo","resumeId":\#(pub),"version":1}"#, status: 404, code: "resume_not_found"),
            ],
            "session": [Reach(method: "GET", query: "memberId=\(owner)", status: 200, code: nil, headers: ["x-member-id": "\(owner)"])],
            // KakaoPay's return is bound to the member who started the attempt, whatever member the URL names.
            "pay-webhook": [
                Reach(method: "GET", query: "result=cancel&attempt=\(w.ownerCheckoutToken)", status: 403, code: "not_your_payment"),
                Reach(method: "GET", query: "result=fail&attempt=\(w.ownerCheckoutToken)&partner_user_id=\(other)", status: 403, code: "not_your_payment"),
                Reach(method: "GET", query: "result=approve&attempt=\(w.ownerCheckoutToken)&pg_token=abc&memberId=\(other)",
                      status: 403, code: "not_your_payment"),
            ],
            // Starts, shows and cancels the caller's own subscription only; deleting an account needs the caller's own login.
            "subscription": [
                Reach(method: "POST", body: #"{"language":"ko","memberId":\#(owner)}"#, status: 400, code: "unknown_field"),
                Reach(method: "POST", query: "memberId=\(owner)&partner_user_id=\(owner)", body: #"{"language":"ko"}"#, status: 502,
                      code: "payment_not_started"),
                Reach(method: "DELETE", query: "memberId=\(owner)", status: 404, code: "no_subscription"),
                Reach(method: "DELETE", body: #"{"deleteAccount":true,"confirm":"owner"}"#, status: 400, code: "confirmation_required"),
                Reach(method: "GET", query: "memberId=\(owner)", status: 200, code: nil, headers: ["x-member-id": "\(owner)"]),
            ],
            "view": [Reach(method: "POST", body: #"{"resumeId":\#(priv)}"#, status: 404, code: "resume_not_found")],
        ]
    }

    @Test func everyFunctionHasARow() throws {
        let w = try FunctionWorld(label: "gitfolio-authz")
        defer { w.remove() }
        #expect(Set(Self.reaches(w).keys) == Set(FunctionCatalog.names))
    }

    /// `other`, signed in, reaches for the owner's things through every function: refused as the
    /// table says, nothing of the owner's changes, and no answer shows the owner's private data.
    @Test(arguments: FunctionCatalog.names)
    func aMemberTouchesOnlyTheirOwnThings(function: String) async throws {
        let w = try FunctionWorld(label: "gitfolio-authz")
        defer { w.remove() }
        let reaches = try #require(Self.reaches(w)[function], "\(function) has no row in the authorization table")
        let before = try w.snapshot(excluding: ["session"])
        let requests = reaches.map { reach in
            var headers = reach.headers
            headers["origin"] = FunctionWorld.site
            return w.request(reach.method, function, cookie: w.otherCookie, query: reach.query, json: reach.body, headers: headers)
        }
        for (reach, answer) in zip(reaches, try await w.run(function, requests)) {
            let where_ = "\(function) \(reach.method) \(reach.query) \(reach.body ?? "")"
            #expect(answer.statusCode == reach.status, "\(where_): \(answer.statusCode) \(answer.bodyText.prefix(300))")
            if let code = reach.code { #expect(answer.errorShape?.code == code, "\(where_): \(answer.bodyText.prefix(300))") }
            #expect(!answer.bodyText.contains(FunctionWorld.secretMarker), "\(where_) showed the owner's private data")
            #expect(!answer.bodyText.contains(#""login":"owner""#), "\(where_) answered as the owner")
            #expect(!answer.bodyText.contains("T-world-owner") && !answer.bodyText.contains("-world\""), "\(where_) showed the owner's payment")
        }
        #expect(try w.snapshot(excluding: ["session"]) == before, "\(function): another member's request changed the database")
        #expect(try w.isSignedIn(w.ownerCookie), "\(function): the owner's session was ended by another member")
    }
}
