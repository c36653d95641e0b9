/// The headers every response carries, from `gitfolio serve` and from the lighttpd deployment
/// alike (`LighttpdConfig`): scripts only from the site's own files (no inline script, no
/// `eval`), no framing by other sites, no referrer to other sites, no MIME sniffing.
///
/// Styles allow `'unsafe-inline'`: the editor puts the templates' stylesheet into a `<style>`
/// element and a resume's HTML document carries its own; scripts never need it.
enum SecurityHeaders {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
        "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static let fields: [(name: String, value: String)] = [
        ("Content-Security-Policy", contentSecurityPolicy),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("X-Content-Type-Options", "nosniff"),
    ]
}
