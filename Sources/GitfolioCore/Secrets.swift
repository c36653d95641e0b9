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

    /// Loads the key from the environment value if given, else from `file`, creating it if absent.
    public static func load(environmentValue: String?, file: String) throws -> TokenCipher {
        if let value = environmentValue, !value.isEmpty {
            guard let data = Data(base64Encoded: value) else {
                throw APIError.internal("GITFOLIO_SECRET_KEY is not valid base64.")
            }
            return try TokenCipher(keyData: data)
        }
        if let data = FileManager.default.contents(atPath: file), !data.isEmpty {
            return try TokenCipher(keyData: data)
        }
        // Create the key exclusively so that two processes starting at once agree on one key.
        let fd = Glibc.open(file, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd >= 0 {
            let key = SymmetricKey(size: .bits256)
            let bytes = key.withUnsafeBytes { Data($0) }
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == 32 else { throw APIError.internal("Could not write the secret key file.") }
            return TokenCipher(key: key)
        }
        // Another process won the race: wait briefly for its write to land.
        for _ in 0..<50 {
            if let data = FileManager.default.contents(atPath: file), data.count == 32 {
                return try TokenCipher(keyData: data)
            }
            usleep(2_000)
        }
        throw APIError.internal("The secret key file could not be read or created (see GITFOLIO_SECRET_FILE).")
    }
}
