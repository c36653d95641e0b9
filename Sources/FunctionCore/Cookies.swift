/// The session cookie, as every function reads and writes it.
public enum SessionCookie {
    public static let name = "gitfolio_session"

    /// A session id is 43 characters of base64url (32 random bytes); anything else is not looked up.
    public static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43 && token.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
        }
    }
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Lax always, Secure when the site is served over HTTPS.
public func setCookie(_ name: String, _ value: String, path: String = "/", maxAge: Int, secure: Bool) -> String {
    "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
}
