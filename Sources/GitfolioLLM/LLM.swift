import Foundation
import GitfolioCore

/// A JSON schema for structured output: the model must answer one object of this shape.
public struct OutputSchema: @unchecked Sendable {
    public var name: String
    public var schema: [String: Any]
    public init(name: String, schema: [String: Any]) {
        self.name = name
        self.schema = schema
    }
}

/// A language model that answers a system and a user message with one JSON object.
public protocol LanguageModel: Sendable {
    func complete(system: String, user: String, schema: OutputSchema) async throws -> [String: Any]
}

/// Which provider, where, and how patient to be. From the environment:
/// `GITFOLIO_LLM_PROVIDER` (`openai` for any OpenAI-compatible server — OpenAI, Ollama's `/v1`, vLLM,
/// llama.cpp, LM Studio, Upstage — or `anthropic`), `GITFOLIO_LLM_BASE_URL`, `GITFOLIO_LLM_API_KEY`,
/// `GITFOLIO_LLM_MODEL`; or from a JSON file named by `GITFOLIO_LLM_CONFIG` with the keys `provider`,
/// `baseURL`, `model` and `apiKey` (each variable that is set wins over the file). Unset provider: no
/// model (the offline writer is the default).
public struct LLMConfig: Sendable {
    public enum Provider: String, Sendable { case openai, anthropic }
    public var provider: Provider
    public var baseURL: URL
    public var apiKey: String?
    public var model: String
    public var maxRetries = 3

    public init(provider: Provider, baseURL: URL, apiKey: String?, model: String) {
        self.provider = provider
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
    }

    public static func from(environment given: [String: String]) throws -> LLMConfig? {
        var env = given
        if let path = given["GITFOLIO_LLM_CONFIG"], !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw APIError.internal("GITFOLIO_LLM_CONFIG names \(path), which cannot be read.")
            }
            guard let file = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw APIError.internal("\(path) must be a JSON object with provider, baseURL, model and apiKey.")
            }
            let keys = ["provider": "GITFOLIO_LLM_PROVIDER", "baseURL": "GITFOLIO_LLM_BASE_URL", "model": "GITFOLIO_LLM_MODEL",
                        "apiKey": "GITFOLIO_LLM_API_KEY"]
            if let unknown = file.keys.sorted().first(where: { keys[$0] == nil }) {
                throw APIError.internal("\(path): unknown key \(unknown); use provider, baseURL, model and apiKey.")
            }
            for (key, variable) in keys where (env[variable] ?? "").isEmpty {
                guard let value = file[key] else { continue }
                guard let text = value as? String else { throw APIError.internal("\(path): \(key) must be a string.") }
                env[variable] = text
            }
        }
        guard let name = env["GITFOLIO_LLM_PROVIDER"], !name.isEmpty else { return nil }
        guard let provider = Provider(rawValue: name.lowercased()) else {
            throw APIError.internal("GITFOLIO_LLM_PROVIDER must be openai (any OpenAI-compatible server) or anthropic.")
        }
        let defaultBase = provider == .openai ? "https://api.openai.com/v1" : "https://api.anthropic.com"
        let base = env["GITFOLIO_LLM_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultBase
        guard let url = URL(string: base.hasSuffix("/") ? String(base.dropLast()) : base), url.scheme?.hasPrefix("http") == true else {
            throw APIError.internal("GITFOLIO_LLM_BASE_URL must be an http(s) URL.")
        }
        guard let model = env["GITFOLIO_LLM_MODEL"], !model.isEmpty else {
            throw APIError.internal("GITFOLIO_LLM_MODEL must name the model to use.")
        }
        let key = env["GITFOLIO_LLM_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if provider == .anthropic && key == nil { throw APIError.internal("GITFOLIO_LLM_API_KEY is required for anthropic.") }
        return LLMConfig(provider: provider, baseURL: url, apiKey: key, model: model)
    }

    /// The message for a member when no model is configured.
    public static let notConfigured = APIError.unavailable("model_not_configured",
        "No language model is configured on this server: set GITFOLIO_LLM_PROVIDER (openai or anthropic), GITFOLIO_LLM_MODEL, "
        + "GITFOLIO_LLM_BASE_URL and GITFOLIO_LLM_API_KEY. / AI 모델이 설정되어 있지 않습니다.")
}

/// Retries as providers ask: 408, 409, 429 and 5xx are retried; `retry-after` is honoured up to 120 s
/// (longer is an error that says so); otherwise the wait doubles from half a second.
public struct RetryPolicy: Sendable {
    public var maxRetries: Int
    public var sleep: @Sendable (Duration) async throws -> Void
    public static let longestWait: Double = 120

    public init(maxRetries: Int = 3, sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.maxRetries = maxRetries
        self.sleep = sleep
    }

    static func isRetryable(_ status: Int) -> Bool { [408, 409, 429].contains(status) || (500...599).contains(status) }

    /// Sends with retries; `provider` names the service in messages. Never puts request headers (keys) in errors.
    func send(_ request: OutboundRequest, via transport: any HTTPTransport, provider: String) async throws -> OutboundResponse {
        var attempt = 0
        while true {
            let response: OutboundResponse
            do {
                response = try await transport.send(request)
            } catch {
                let timedOut = (error as? URLError)?.code == .timedOut || "\(error)".contains("timed out")
                if attempt < maxRetries && !timedOut {
                    attempt += 1
                    try await sleep(.milliseconds(500 << (attempt - 1)))
                    continue
                }
                throw timedOut
                    ? APIError(status: 504, code: "model_timeout", message: "\(provider) did not answer in time. Please try again.")
                    : APIError.upstream("model_unreachable", "\(provider) could not be reached.")
            }
            guard Self.isRetryable(response.status) else { return response }
            let retryAfter = response.headers["retry-after"].flatMap(Double.init)
            if let retryAfter, retryAfter > Self.longestWait {
                throw APIError.unavailable("model_busy", "\(provider) asks to wait \(Int(retryAfter)) s, longer than we wait (\(Int(Self.longestWait)) s). Please try again later.")
            }
            guard attempt < maxRetries else {
                throw APIError.unavailable(response.status == 429 ? "model_rate_limited" : "model_unavailable",
                                           "\(provider) answered HTTP \(response.status) \(attempt + 1) times. Please try again later.")
            }
            attempt += 1
            try await sleep(retryAfter.map { .milliseconds(Int($0 * 1000)) } ?? .milliseconds(500 << (attempt - 1)))
        }
    }
}

/// Reads a provider's error body: OpenAI's `{"error":{"message","type","code"}}` or Anthropic's
/// `{"type":"error","error":{"type","message"}}`.
func providerError(_ response: OutboundResponse, provider: String) -> APIError {
    let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
    let error = object?["error"] as? [String: Any]
    let message = (error?["message"] as? String).map { String($0.prefix(300)) } ?? "HTTP \(response.status)"
    if response.status == 401 || response.status == 403 {
        return APIError.upstream("model_auth_failed", "\(provider) refused our credentials; check GITFOLIO_LLM_API_KEY. (\(message))")
    }
    return APIError.upstream("model_error", "\(provider) refused the request: \(message)")
}

/// The first JSON object in a model's text (models sometimes wrap it in prose or code fences).
func jsonObject(in text: String, provider: String) throws -> [String: Any] {
    if let data = text.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] { return object }
    if let start = text.firstIndex(of: "{"), let end = text.lastIndex(of: "}"), start < end,
       let object = try? JSONSerialization.jsonObject(with: Data(text[start...end].utf8)) as? [String: Any] { return object }
    throw APIError.upstream("model_bad_output", "\(provider) answered with something that is not the JSON we asked for.")
}
