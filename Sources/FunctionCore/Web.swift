/// The request checks and cookies every function shares, fast or not.
extension Config {
    /// Origins a browser may send for this site: the configured public URL's; when that URL is on
    /// loopback (`gitfolio serve` on your machine), the same port under the other loopback names
    /// too. Never one derived from the request's own `Host`, which a DNS-rebinding page controls.
    public var allowedOrigins: Set<String> {
        var origins: Set<String> = [publicOrigin]
        if WebAddress.loopbackHosts.contains(publicURL.host) {
            for host in WebAddress.loopbackHosts {
                var address = publicURL
                address.host = host
                origins.insert(address.origin)
            }
        }
        return origins
    }

    /// Whether a request's `Host` names this site (a DNS-rebinding page sends its own name).
    public func isKnownHost(_ request: FunctionRequest) -> Bool {
        guard let host = request.header("host")?.lowercased() else { return true }
        return allowedOrigins.contains("\(publicURL.scheme)://\(host)")
    }

    /// Refuses cross-site state changes: the `Host` must be this site's, and the `Origin` too; without
    /// an `Origin`, the browser's `Sec-Fetch-Site` must say same-origin, or the request must carry the
    /// `x-gitfolio-csrf` header that only same-origin scripts can send without a CORS preflight.
    public func requireSameOrigin(_ request: FunctionRequest) throws(APIError) {
        guard isKnownHost(request) else {
            throw .forbidden("unknown_host", "This request was sent to a name this site does not answer to.",
                             korean: "이 사이트의 주소가 아닌 곳으로 보낸 요청입니다.")
        }
        if let origin = request.header("origin") {
            guard allowedOrigins.contains(origin.lowercased()) else {
                throw .forbidden("cross_site_request", "This request came from another site and was refused.",
                                 korean: "다른 사이트에서 보낸 요청이라 거부했습니다.")
            }
        } else if let site = request.header("sec-fetch-site") {
            guard site == "same-origin" || site == "none" else {
                throw .forbidden("cross_site_request", "This request came from another site and was refused.",
                                 korean: "다른 사이트에서 보낸 요청이라 거부했습니다.")
            }
        } else if request.header("x-gitfolio-csrf") == nil {
            throw .forbidden("csrf_header_missing", "State-changing requests must send the x-gitfolio-csrf header.",
                             korean: "요청에 x-gitfolio-csrf 헤더가 없습니다.")
        }
    }

    /// Whether cookies get `Secure`: the site is HTTPS, or the runner says the request came over TLS.
    public func isSecure(_ request: FunctionRequest) -> Bool {
        isHTTPS || request.header("x-forwarded-proto") == "https"
    }

    public func cookie(_ name: String, _ value: String, path: String = "/", maxAge: Int, request: FunctionRequest) -> String {
        setCookie(name, value, path: path, maxAge: maxAge, secure: isSecure(request))
    }

    public func clearedSessionCookie(_ request: FunctionRequest) -> String {
        cookie(SessionCookie.name, "", maxAge: 0, request: request)
    }
}

extension Config {
    /// The visitor's address: what the runner reports, unless that is a trusted proxy, in which case
    /// the nearest address in `X-Forwarded-For` that is not one. A client's own header is never
    /// believed otherwise.
    public func clientAddress(_ request: FunctionRequest) -> String {
        guard trustedProxies.contains(request.sourceIp), let forwarded = request.header("x-forwarded-for") else { return request.sourceIp }
        for hop in forwarded.split(separator: ",").reversed() {
            let address = String(hop.filter { $0 != " " })
            if !address.isEmpty && !trustedProxies.contains(address) { return address }
        }
        return request.sourceIp
    }
}

extension WebAddress {
    public static let loopbackHosts: Set<String> = ["127.0.0.1", "localhost", "[::1]"]
}

extension FunctionRequest {
    /// The well-formed session id of the request's cookie, if it has one.
    public var sessionToken: String? {
        guard let token = cookie(SessionCookie.name), SessionCookie.isWellFormed(token) else { return nil }
        return token
    }

    /// Refuses a method the function does not answer (405 with `Allow`).
    public func allow(_ methods: String...) throws(APIError) {
        guard methods.contains(method) else { throw .methodNotAllowed(method, allowed: methods) }
    }

    /// The body as a JSON document: `application/json`, not empty, strict JSON (a 415 or a 400 otherwise).
    public func jsonBody() throws(APIError) -> JSONValue {
        let type = header("content-type")?.lowercased() ?? ""
        guard type.hasPrefix("application/json") else {
            throw APIError(status: 415, code: "unsupported_media_type", message: "Send the body as application/json.",
                           korean: "본문을 application/json으로 보내 주세요.")
        }
        guard !body.isEmpty else {
            throw .badRequest("invalid_json", "The request body is empty; send a JSON object.", korean: "요청 본문이 비어 있습니다.")
        }
        do {
            return try JSONValue.parse(body)
        } catch {
            throw .badRequest("invalid_json", "The request body is not valid JSON.", korean: "요청 본문이 올바른 JSON이 아닙니다.")
        }
    }
}
