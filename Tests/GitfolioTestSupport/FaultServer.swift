import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A misbehaving HTTP server on 127.0.0.1, for what the fakes built on `LoopbackServer` cannot do
/// (they always answer whole, well-formed responses): it reads each request and then, whatever the
/// path, stands in for a GitHub, a model or a KakaoPay that
///
/// - `hang`s: reads the request and never answers (the client's timeout must fire);
/// - answers `garbage`: a 200 whose JSON content type carries bytes that are not JSON;
/// - `closesMidResponse`: sends the head and part of the body it announced, then closes;
/// - `resets`: closes the connection without a byte of answer.
///
/// The fakes' own fault modes stay where they are (`FakeLLM.Reply` status, delay and body;
/// `FakeKakaoPay.State.failNext`, `setLatency`, `holdSubscription`); this one is for the transport.
public final class FaultServer: @unchecked Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case hang, garbage, closesMidResponse, resets
    }

    public let mode: Mode
    public let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var connections: [Int32] = []
    private var stopped = false
    private var requestCount = 0

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }
    /// Requests read so far.
    public var requests: Int { lock.lock(); defer { lock.unlock() }; return requestCount }

    public init(_ mode: Mode) throws {
        self.mode = mode
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw RawConnection.Failure(description: "fault server: errno \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        port = UInt16(bigEndian: addr.sin_port)
        Thread { [self] in acceptLoop() }.start()
    }

    deinit { stop() }

    /// Closes the listener and every connection (a hanging one included).
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                lock.lock(); let done = stopped; lock.unlock()
                if done { return }
                continue
            }
            lock.lock(); connections.append(fd); lock.unlock()
            Thread { [self] in serve(fd) }.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            // Out of the list before the descriptor is closed (and its number reused), so that `stop`
            // never shuts down a socket that is not ours.
            lock.lock(); connections.removeAll { $0 == fd }; lock.unlock()
            close(fd)
        }
        guard readRequest(fd) else { return }
        lock.lock(); requestCount += 1; lock.unlock()
        switch mode {
        case .hang:
            var byte: UInt8 = 0
            while recv(fd, &byte, 1, 0) > 0 {}  // until the client gives up or `stop`
        case .garbage:
            let body = "<html>502 Bad Gateway</html>\u{0}\u{1}{\"unterminated"
            write(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
        case .closesMidResponse:
            write(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{\"choices\":[{\"message\":{\"content\":\"")
            usleep(50_000)
        case .resets:
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)  // RST rather than FIN
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
    }

    /// Reads the head and the body its Content-Length announces.
    private func readRequest(_ fd: Int32) -> Bool {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var headEnd: Int?
        var length = 0
        while true {
            if let end = headEnd, data.count >= end + length { return true }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return false }
            data += chunk[0..<n]
            if headEnd == nil, let range = findHeadEnd(data) {
                headEnd = range
                let head = String(decoding: data[0..<range], as: UTF8.self).lowercased()
                if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
                    length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
        }
    }

    private func findHeadEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 { return i + 4 }
        return nil
    }

    private func write(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
