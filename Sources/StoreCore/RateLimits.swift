import FunctionCore

/// How often one member and one client address may do an action: at most `perMember` and
/// `perAddress` requests in each fixed window of `window` seconds. Counted in the database that
/// every process shares (`rate_limit`), so the limit holds across one-shot CGI processes and warm
/// pools alike. The AI actions also have their daily quota (`Plans`); these limits are about bursts.
public struct RateLimit: Sendable, Equatable {
    public var action: String
    public var perMember: Int?
    public var perAddress: Int?
    public var window: Int64

    public init(action: String, perMember: Int?, perAddress: Int?, window: Int64) {
        self.action = action
        self.perMember = perMember
        self.perAddress = perAddress
        self.window = window
    }
}

/// The one table of request limits (docs/RELIABILITY.md quotes it).
public enum RateLimits {
    /// Starting a GitHub sign-in, its callback and the local sign-in (no member yet: per address).
    public static let signIn = RateLimit(action: "signin", perMember: nil, perAddress: 20, window: 600)
    /// Above FREE's 3 uses a day and below PRO's daily fair-use cap: a burst limit, and one that the
    /// quota's own race (50 processes of one member at once) does not reach.
    public static let generate = RateLimit(action: "generate", perMember: 60, perAddress: 120, window: 3600)
    /// AI proposals (accepting and undoing are not limited: they run no model).
    public static let revise = RateLimit(action: "revise", perMember: 60, perAddress: 120, window: 600)
    public static let like = RateLimit(action: "like", perMember: 60, perAddress: 120, window: 60)
    /// Per member, comments keep their own burst limit (`AppDatabase.commentBurst`, counted from the comments).
    public static let comment = RateLimit(action: "comment", perMember: nil, perAddress: 20, window: 60)
    public static let all = [signIn, generate, revise, like, comment]

    /// Rows older than this are deleted as new ones are counted (twice the longest window).
    public static let horizon: Int64 = 2 * 3600

    /// Addresses that are never limited per address: loopback and none. On loopback the client is the
    /// operator's own machine, or every visitor of a server whose reverse proxy is not declared in
    /// `GITFOLIO_TRUSTED_PROXIES` — where one shared limit would let any client lock out everyone
    /// (the per-member limits still hold there).
    public static func isExempt(_ address: String) -> Bool {
        address.isEmpty || address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }
}

extension Config {
    /// The client address's bucket key: `a:` and 32 hex digits of an HMAC keyed from the site's
    /// secret (no address is stored), or nil for an exempt address.
    public func rateLimitAddressKey(_ request: FunctionRequest) throws -> String? {
        let address = clientAddress(request)
        guard !RateLimits.isExempt(address) else { return nil }
        let key = HMACSHA256.authenticate(Array("gitfolio rate limit".utf8), key: try SecretKey.load(self))
        return "a:" + String(lowercaseHex(HMACSHA256.authenticate(Array(address.utf8), key: key)).prefix(32))
    }
}

extension Database {
    /// Counts one `limit.action` request of the member and the address, in one write transaction;
    /// over either limit it throws `StoreError.rateLimited` (a 429 with Retry-After) and counts nothing.
    public func take(_ limit: RateLimit, memberID: Int64?, addressKey: String?, now: Int64) throws {
        try write { db in
            let start = now - now % limit.window
            var buckets: [(key: String, max: Int)] = []
            if let memberID, let max = limit.perMember { buckets.append(("\(limit.action):m:\(memberID)", max)) }
            if let addressKey, let max = limit.perAddress { buckets.append(("\(limit.action):\(addressKey)", max)) }
            for bucket in buckets {
                let count = try db.integer("""
                    INSERT INTO rate_limit (bucket, window_start, count) VALUES (?, ?, 1)
                    ON CONFLICT (bucket, window_start) DO UPDATE SET count = count + 1 RETURNING count
                    """, [bucket.key, start]) ?? 1
                if count > bucket.max {
                    throw StoreError.rateLimited(action: limit.action, retryAfter: Int(max(1, start + limit.window - now)))
                }
            }
            try db.execute("DELETE FROM rate_limit WHERE window_start < ?", [now - RateLimits.horizon])
        }
    }

    /// `take` for a request: its member (if signed in) and its client address.
    public func take(_ limit: RateLimit, memberID: Int64?, request: FunctionRequest, config: Config, now: Int64) throws {
        try take(limit, memberID: memberID, addressKey: try config.rateLimitAddressKey(request), now: now)
    }
}
