#if canImport(Glibc)
import Glibc
#endif

/// The limits every runner enforces, whatever the function.
public enum FunctionLimits {
    /// The largest event (one JSON document or line) a runner reads.
    public static let maxEventBytes = 2 * 1024 * 1024
    /// The largest request body a handler is given.
    public static let maxBodyBytes = 1024 * 1024
}

/// Reads from a file descriptor with its own buffer: whole input, exact byte counts, or lines.
public final class ByteReader {
    public let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false

    public init(fd: Int32) { self.fd = fd }

    private func fill() -> Bool {
        if eof { return false }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 65_536) }
            if n > 0 {
                if start > 0 { buffer.removeFirst(start); start = 0 }
                buffer.append(contentsOf: chunk[0..<n])
                return true
            }
            if n < 0 && errno == EINTR { continue }
            eof = true
            return false
        }
    }

    public enum Line { case line([UInt8]), tooLong, end }

    /// The next newline-terminated line; a line over `limit` bytes is skipped whole and reported.
    public func nextLine(limit: Int) -> Line {
        var tooLong = false
        while true {
            if let nl = buffer[start...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<nl])
                start = nl + 1
                return tooLong || line.count > limit ? .tooLong : .line(line)
            }
            if buffer.count - start > limit { tooLong = true; start = buffer.count }
            if !fill() {
                guard buffer.count > start else { return tooLong ? .tooLong : .end }
                let line = Array(buffer[start...])
                start = buffer.count
                return tooLong || line.count > limit ? .tooLong : .line(line)
            }
        }
    }

    /// The next warm-mode event: the next line that is not blank (blank lines get no answer).
    public func nextEvent(limit: Int = FunctionLimits.maxEventBytes) -> Line {
        while true {
            let line = nextLine(limit: limit)
            if case .line(let bytes) = line, bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            return line
        }
    }

    /// Reads up to `count` bytes; fewer only at end of input.
    public func read(count: Int) -> [UInt8] {
        while buffer.count - start < count, fill() {}
        let n = min(count, buffer.count - start)
        defer { start += n }
        return Array(buffer[start..<(start + n)])
    }

    /// Everything up to end of input, or nil once more than `limit` bytes arrived.
    public func readAll(limit: Int) -> [UInt8]? {
        while fill() { if buffer.count - start > limit { return nil } }
        return buffer.count - start > limit ? nil : Array(buffer[start...])
    }
}

/// Writes every byte, retrying short and interrupted writes; gives up quietly if the reader is gone.
public func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) {
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n < 0 { if errno == EINTR { continue } else { return } }
        offset += n
    }
}

public func writeAll(_ bytes: [UInt8], to fd: Int32) {
    bytes.withUnsafeBytes { writeAll($0, to: fd) }
}

/// The process environment as a dictionary, read without Foundation. Works on the C strings' bytes
/// (a search by Character for `=` cost a function a tenth of its start-up).
public func processEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var entry = environ
    while let pointer = entry.pointee {
        let length = strlen(pointer)
        pointer.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            let all = UnsafeBufferPointer(start: bytes, count: length)
            if let eq = all.firstIndex(of: UInt8(ascii: "=")) {
                result[String(decoding: UnsafeBufferPointer(rebasing: all[..<eq]), as: UTF8.self)] =
                    String(decoding: UnsafeBufferPointer(rebasing: all[(eq + 1)...]), as: UTF8.self)
            }
        }
        entry += 1
    }
    return result
}

/// A whole file's bytes, or nil when it cannot be read.
public func readFile(_ path: String, limit: Int = 16 * 1024 * 1024) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return ByteReader(fd: fd).readAll(limit: limit)
}
