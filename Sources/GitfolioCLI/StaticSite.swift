import Foundation
import HTTPServer
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// The built site (`_site`) over HTTP: GET and HEAD of its files, `index.html` for a folder,
/// nothing whose name starts with a dot, and the site's own `404.html` (`/en/404.html` under
/// `/en/`) with status 404 for anything else. Files are read once and kept while their size and
/// modification time stay the same, so a request costs one `stat`.
final class StaticSite: Sendable {
    let root: String
    private let cache = NIOLockedValueBox(Cache())

    private struct Cache {
        var files: [String: File] = [:]
        var bytes = 0
    }

    private struct File {
        var size: Int
        var modified: timespec
        var body: [UInt8]
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
        guard let path = resolve(request.path), let body = read(path) else { return notFound(request.path) }
        let type = Self.contentTypes[(path as NSString).pathExtension.lowercased()] ?? "application/octet-stream"
        return HTTPResponse(status: 200, headers: [HTTPField("content-type", type), HTTPField("cache-control", "no-cache")], body: body)
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
        let page = (urlPath.hasPrefix("/en/") ? read(root + "/en/404.html") : nil) ?? read(root + "/404.html")
        let body = page ?? Array("<!doctype html>\n<meta charset=\"utf-8\">\n<title>404</title>\n<h1>페이지를 찾을 수 없습니다 / Page not found</h1>\n".utf8)
        return HTTPResponse(status: 404, headers: [HTTPField("content-type", "text/html; charset=utf-8"), HTTPField("cache-control", "no-cache")],
                            body: body)
    }

    /// A file's bytes, from memory while the file is unchanged.
    func read(_ path: String) -> [UInt8]? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int(info.st_size), modified = info.st_mtim
        if let file = cache.withLockedValue({ $0.files[path] }), file.size == size,
           file.modified.tv_sec == modified.tv_sec, file.modified.tv_nsec == modified.tv_nsec {
            return file.body
        }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let body = [UInt8](data)
        if body.count <= Self.maxCachedFile {
            cache.withLockedValue { cache in
                if cache.bytes + body.count > Self.maxCachedTotal { cache = Cache() }
                cache.bytes += body.count - (cache.files[path]?.body.count ?? 0)
                cache.files[path] = File(size: body.count, modified: modified, body: body)
            }
        }
        return body
    }
}
