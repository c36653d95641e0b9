import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP connection to 127.0.0.1 that sends exactly the bytes a test gives it and reads responses
/// by hand, for what an HTTP client library will not do: half-sent requests, over-long lines,
/// pipelining, timing one keep-alive connection, seeing every header line as sent.
/// Blocking: call it from a thread of its own (`offPool`), not from the cooperative pool.
public final class RawConnection: @unchecked Sendable {
    public let fd: Int32
    private var buffer: [UInt8] = []

    public struct Response: Sendable {
        public var status: Int
        /// The head as sent, status line and header lines, without the blank line.
        public var head: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
        public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Failure: Error, CustomStringConvertible { public var description: String }

    /// Connects; reads and writes give up after `timeout` seconds.
    public init(port: UInt16, timeout: Double = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let error = errno
            Glibc.close(fd)
            throw Failure(description: "connect: errno \(error)")
        }
        setTimeout(timeout)
    }

    deinit { Glibc.close(fd) }

    public func setTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends all bytes; false when the peer has closed (never raises SIGPIPE).
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads more bytes into the buffer; false on close, error or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer += chunk[..<n]
        return true
    }

    /// The next response (head, then a `content-length` body unless it answers a HEAD request);
    /// nil when the connection closes or the time runs out first.
    public func readResponse(toHead: Bool = false) -> Response? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var end: Int?
        while end == nil {
            if buffer.count >= 4 {
                for i in 0...(buffer.count - 4) where buffer[i..<(i + 4)].elementsEqual(separator) { end = i; break }
            }
            if end == nil && !fill() { return nil }
        }
        let head = String(decoding: buffer[..<end!], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        buffer.removeFirst(end! + 4)
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        let informational = (100..<200).contains(status) || toHead
        while !informational && buffer.count < length { if !fill() { return nil } }
        let body = informational ? [] : Array(buffer.prefix(length))
        buffer.removeFirst(body.count)
        return Response(status: status, head: head, headers: headers, body: body)
    }

    /// Waits until the peer closes the connection, reading whatever it sends; the seconds it took,
    /// or nil when it was still open after `timeout` seconds.
    public func secondsUntilClosed(timeout: Double) -> Double? {
        let start = Date()
        setTimeout(0.25)
        while Date().timeIntervalSince(start) < timeout {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { return Date().timeIntervalSince(start) }
            if n > 0 { buffer += chunk[..<n] }
        }
        return nil
    }

    /// What arrived while waiting for the close (`secondsUntilClosed`), as text.
    public var received: String { String(decoding: buffer, as: UTF8.self) }
}
