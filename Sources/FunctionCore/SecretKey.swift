#if canImport(Glibc)
import Glibc
#endif

/// The site's 32-byte secret: `GITFOLIO_SECRET_KEY` (base64) or the key file `GITFOLIO_SECRET_FILE`,
/// created with mode 0600 on first use. It encrypts GitHub tokens at rest (GitfolioCore's
/// `TokenCipher`) and keys the hash that stands for a visitor's address (`view`). Foundation-free,
/// so the fast functions read it the same way.
public enum SecretKey {
    public static func load(_ config: Config) throws(APIError) -> [UInt8] {
        try load(value: config.secretKey, file: config.secretFile)
    }

    public static func load(value: String?, file: String) throws(APIError) -> [UInt8] {
        if let value, !value.isEmpty {
            guard let key = Base64.decode(value) else { throw .internal("GITFOLIO_SECRET_KEY is not valid base64.") }
            guard key.count == 32 else { throw .internal("GITFOLIO_SECRET_KEY must be 32 bytes (base64).") }
            return key
        }
        if let key = readFile(file, limit: 64), !key.isEmpty {
            guard key.count == 32 else { throw .internal("The secret key file (GITFOLIO_SECRET_FILE) must hold 32 bytes.") }
            return key
        }
        // Create the key exclusively so that two processes starting at once agree on one key.
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            var generator = SystemRandomNumberGenerator()
            let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let written = key.withUnsafeBytes { write(fd, $0.baseAddress, 32) }
            close(fd)
            guard written == 32 else { throw .internal("Could not write the secret key file (GITFOLIO_SECRET_FILE).") }
            return key
        }
        // Another process won the race: wait briefly for its write to land.
        for _ in 0..<50 {
            if let key = readFile(file, limit: 64), key.count == 32 { return key }
            usleep(2_000)
        }
        throw .internal("The secret key file (GITFOLIO_SECRET_FILE) could not be read or created.")
    }
}

/// HMAC-SHA256 (RFC 2104) over `SHA256Digest`.
public enum HMACSHA256 {
    public static func authenticate(_ message: some Collection<UInt8>, key: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? SHA256Digest.hash(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = SHA256Digest.hash(block.map { $0 ^ 0x36 } + Array(message))
        return SHA256Digest.hash(block.map { $0 ^ 0x5C } + inner)
    }
}
