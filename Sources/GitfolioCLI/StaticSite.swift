import Foundation
import HTTPServer
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// The built site (`_site`) over HTTP: GET and HEAD of its files, `index.html` for a folder,
/// nothing whose name starts with a dot, and the site's own `404.html` (`/en/404.html` under
/// `/en/`) with status 404 for anything else. Answers are kept in memory per URL path while the
/// file's size and modification time stay the same, so a request costs one `stat`.
final class StaticSite: Sendable {
    let root: String
    private let cache = NIOLockedValueBox(Cache())

    private struct Cache {
        var entries: [String: Entry] = [:]
        var bytes = 0
    }

    private struct Entry {
        var file: String
        var size: Int
        var modified: timespec
        var response: HTTPResponse
    }

    /// Kept in memory: files up to 4 MiB, 64 MiB in all (past that the cache starts again).
    static let maxCachedFile = 4 << 20
    static let maxCachedTotal = 64 << 20

    init(root: String) { self.root = root }

    static let contentTypes = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "json": "application/json", "png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
        "ico": "image/x-icon", "txt": "text/plain; charset=utf-8", "woff2": "font/woff2",
    ]

    func respond(to request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return HTTPResponse(status: 405, headers: [HTTPField("allow", "GET, HEAD"), HTTPField("content-type", "text/plain; charset=utf-8")],
                                body: Array("Method not allowed\n".utf8))
        }
        if let entry = cache.withLockedValue({ $0.entries[request.path] }), Self.unchanged(entry) { return entry.response }
        guard let file = resolve(request.path), let response = load(file, status: 200, cacheAs: request.path) else {
            return notFound(request.path)
        }
        return response
    }

    /// The file a decoded URL path names, or nil when there is none or the path may not be served.
    func resolve(_ urlPath: String) -> String? {
        let parts = urlPath.split(separator: "/")
        guard !parts.contains(where: { $0.hasPrefix(".") }) else { return nil }
        var path = root + "/" + parts.joined(separator: "/")
        if urlPath.hasSuffix("/") || parts.isEmpty { path += "/index.html" }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        if info.st_mode & S_IFMT == S_IFDIR {
            path += "/index.html"
            guard stat(path, &info) == 0 else { return nil }
        }
        return info.st_mode & S_IFMT == S_IFREG ? path : nil
    }

    /// The site's 404 page in the language of the path, or a short bilingual one.
    func notFound(_ urlPath: String) -> HTTPResponse {
        if urlPath.hasPrefix("/en/"), let page = load(root + "/en/404.html", status: 404, cacheAs: "\u{0}404/en") { return page }
        if let page = load(root + "/404.html", status: 404, cacheAs: "\u{0}404") { return page }
        return HTTPResponse(status: 404, headers: [HTTPField("content-type", "text/html; charset=utf-8"), HTTPField("cache-control", "no-cache")],
                            body: Array("<!doctype html>\n<meta charset=\"utf-8\">\n<title>404</title>\n<h1>페이지를 찾을 수 없습니다 / Page not found</h1>\n".utf8))
    }

    private static func unchanged(_ entry: Entry) -> Bool {
        var info = stat()
        return stat(entry.file, &info) == 0 && Int(info.st_size) == entry.size
            && info.st_mtim.tv_sec == entry.modified.tv_sec && info.st_mtim.tv_nsec == entry.modified.tv_nsec
    }

    /// A file as a response, kept under its URL path (or `cacheAs`) while it is unchanged.
    private func load(_ file: String, status: Int, cacheAs key: String? = nil) -> HTTPResponse? {
        if let key, let entry = cache.withLockedValue({ $0.entries[key] }), Self.unchanged(entry) { return entry.response }
        var info = stat()
        guard stat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG, let data = FileManager.default.contents(atPath: file) else {
            return nil
        }
        let body = [UInt8](data)
        let response = HTTPResponse(status: status, headers: [HTTPField("content-type", Self.contentType(file)),
                                                              HTTPField("cache-control", "no-cache")], body: body)
        if body.count <= Self.maxCachedFile {
            let entry = Entry(file: file, size: body.count, modified: info.st_mtim, response: response)
            cache.withLockedValue { cache in
                if cache.bytes + body.count > Self.maxCachedTotal { cache = Cache() }
                cache.bytes += body.count
                if let key { cache.entries[key] = entry }
            }
        }
        return response
    }

    static func contentType(_ file: String) -> String {
        guard let dot = file.lastIndex(of: "."), !file[dot...].contains("/") else { return "application/octet-stream" }
        return contentTypes[file[file.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }
}
