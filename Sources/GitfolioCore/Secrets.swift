import Crypto
import Foundation
import FunctionCore

#if canImport(Glibc)
import Glibc
#endif

/// Random identifiers and hashes used for sessions, OAuth `state` and request ids.
public enum Secrets {
    /// A random URL-safe token carrying `bytes` bytes of entropy.
    public static func randomToken(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return base64URL(data)
    }

    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Hex SHA-256: what the database stores instead of a session id or `state`.
    public static func sha256Hex(_ string: String) -> String {
        lowercaseHex(SHA256.hash(data: Data(string.utf8)))
    }

    /// Constant-time comparison for secrets supplied by a client.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// Encrypts secrets at rest (GitHub access tokens) with AES-256-GCM.
///
/// The key comes from `GITFOLIO_SECRET_KEY` (base64 of 32 bytes) or from a key file, created with
/// mode 0600 on first use. Losing the key makes stored tokens unreadable; members then sign in again.
public struct TokenCipher: Sendable {
    private let keyData: Data
    private var key: SymmetricKey { SymmetricKey(data: keyData) }

    public init(key: SymmetricKey) { self.keyData = key.withUnsafeBytes { Data($0) } }

    public init(keyData: Data) throws {
        guard keyData.count == 32 else {
            throw APIError.internal("The secret key must be 32 bytes (base64 in GITFOLIO_SECRET_KEY).")
        }
        self.keyData = keyData
    }

    public func seal(_ plaintext: String) throws -> [UInt8] {
        guard let combined = try AES.GCM.seal(Data(plaintext.utf8), using: key).combined else {
            throw APIError.internal("Could not encrypt a secret.")
        }
        return Array(combined)
    }

    public func open(_ ciphertext: [UInt8]) throws -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: Data(ciphertext))
            let data = try AES.GCM.open(box, using: key)
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw APIError(status: 500, code: "secret_unreadable",
                           message: "A stored secret could not be decrypted; was the secret key changed?")
        }
    }

    /// Loads the key from the environment value if given, else from `file`, creating it if absent
    /// (`SecretKey`, shared with the Foundation-free functions).
    public static func load(environmentValue: String?, file: String) throws -> TokenCipher {
        try TokenCipher(keyData: Data(try SecretKey.load(value: environmentValue, file: file)))
    }
}
