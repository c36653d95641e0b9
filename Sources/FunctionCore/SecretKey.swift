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
        // Create the key whole, then publish it: written to a file of this process's own, synced, and
        // linked to the key's name, which fails if another process published one first (its key is
        // then read). So the key file is never empty or partial, even when the disk fills up or the
        // process is killed half-way: a key file left empty once made every later request a 500, long
        // after the disk had room again.
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        // The draft's name is this attempt's own (threads of one process share its pid).
        let draft = file + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max, using: &generator))"
        let fd = open(draft, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw storageFailure("create \(draft)", errno) }
        defer { unlink(draft) }
        let written = key.withUnsafeBytes { write(fd, $0.baseAddress, 32) }
        let writeError = errno
        let synced = written == 32 && fsync(fd) == 0
        let syncError = errno
        close(fd)
        guard written == 32 else { throw storageFailure("write \(draft)", written < 0 ? writeError : ENOSPC) }
        guard synced else { throw storageFailure("sync \(draft)", syncError) }
        if link(draft, file) == 0 { return key }
        let linkError = errno
        guard linkError == EEXIST else { throw storageFailure("publish \(file)", linkError) }
        if let existing = readFile(file, limit: 64), existing.count == 32 { return existing }
        throw .internal("The secret key file (GITFOLIO_SECRET_FILE) exists but does not hold 32 bytes; if it is empty, no key was ever "
                        + "written to it (remove it and a new key is made; GitHub sign-ins encrypted with a lost key must be made again).")
    }

    /// A key file that cannot be written: a 503 to retry when the disk is full or read-only (the
    /// same answer as the database's), a 500 otherwise (permissions: the operator's to fix).
    static func storageFailure(_ what: String, _ code: Int32) -> APIError {
        let detail = "the secret key file (GITFOLIO_SECRET_FILE): cannot \(what): \(String(cString: strerror(code)))"
        return code == ENOSPC || code == EDQUOT || code == EROFS ? .storageUnavailable(detail) : .internal(detail)
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
