import Foundation
import GitfolioCore

/// A JSON schema for structured output: the model must answer one object of this shape.
public struct OutputSchema: Sendable {
    public var name: String
    public var schema: JSONValue
    public init(name: String, schema: JSONValue) {
        self.name = name
        self.schema = schema
    }
}

/// A language model that answers a system and a user message with one JSON object.
public protocol LanguageModel: Sendable {
    func complete(system: String, user: String, schema: OutputSchema) async throws -> JSONValue
}

extension LanguageModel {
    /// The answer as a typed value; an answer of the wrong shape is the model's fault (502).
    public func complete<T: Decodable>(_ type: T.Type, system: String, user: String, schema: OutputSchema) async throws -> T {
        let answer = try await complete(system: system, user: user, schema: schema)
        do {
            return try answer.decode(T.self)
        } catch {
            throw APIError.upstream("model_bad_output", "The model's answer did not have the shape we asked for. Please try again.",
                                    korean: "AI의 답을 읽을 수 없었습니다. 다시 시도해 주세요.")
        }
    }
}

/// Which provider, where, and how patient to be, from the configuration (`GITFOLIO_LLM_PROVIDER`:
/// `openai` for any OpenAI-compatible server — OpenAI, Ollama's `/v1`, vLLM, llama.cpp, LM Studio,
/// Upstage — or `anthropic`; `GITFOLIO_LLM_BASE_URL`, `GITFOLIO_LLM_API_KEY`, `GITFOLIO_LLM_MODEL`; or a
/// JSON file named by `GITFOLIO_LLM_CONFIG` with the keys `provider`, `baseURL`, `model` and `apiKey`,
/// each variable that is set winning over the file). No provider: no model (the offline writer).
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

    /// The model settings of a configuration; nil when no provider is set. A malformed setting is an
    /// error for the operator's log (the variable named, never a value).
    public static func from(_ config: Config) throws -> LLMConfig? {
        var values: [Config.Variable: String] = [:]
        for variable in [Config.Variable.llmProvider, .llmBaseURL, .llmModel, .llmAPIKey] { values[variable] = config[variable] }
        if let path = config[.llmConfigFile] {
            guard let bytes = readFile(path, limit: 64 * 1024) else {
                throw APIError.internal("GITFOLIO_LLM_CONFIG names a file that cannot be read.")
            }
            guard case .object(let file)? = try? JSONValue.parse(bytes) else {
                throw APIError.internal("GITFOLIO_LLM_CONFIG's file must be a JSON object with provider, baseURL, model and apiKey.")
            }
            let keys: [String: Config.Variable] = ["provider": .llmProvider, "baseURL": .llmBaseURL, "model": .llmModel, "apiKey": .llmAPIKey]
            if let unknown = file.keys.sorted().first(where: { keys[$0] == nil }) {
                throw APIError.internal("GITFOLIO_LLM_CONFIG's file has the unknown key \(unknown.prefix(40)); use provider, baseURL, model and apiKey.")
            }
            for (key, variable) in keys where values[variable] == nil {
                guard let value = file[key] else { continue }
                guard let text = value.stringValue else { throw APIError.internal("GITFOLIO_LLM_CONFIG's file: \(key) must be a string.") }
                values[variable] = text.isEmpty ? nil : text
            }
        }
        guard let name = values[.llmProvider] else { return nil }
        guard let provider = Provider(rawValue: name.lowercased()) else {
            throw APIError.internal("GITFOLIO_LLM_PROVIDER must be openai (any OpenAI-compatible server) or anthropic.")
        }
        let base = values[.llmBaseURL] ?? (provider == .openai ? "https://api.openai.com/v1" : "https://api.anthropic.com")
        guard let url = URL(string: base.hasSuffix("/") ? String(base.dropLast()) : base), url.scheme?.hasPrefix("http") == true else {
            throw APIError.internal("GITFOLIO_LLM_BASE_URL must be an http(s) URL.")
        }
        guard let model = values[.llmModel] else { throw APIError.internal("GITFOLIO_LLM_MODEL must name the model to use.") }
        if provider == .anthropic && values[.llmAPIKey] == nil { throw APIError.internal("GITFOLIO_LLM_API_KEY is required for anthropic.") }
        return LLMConfig(provider: provider, baseURL: url, apiKey: values[.llmAPIKey], model: model)
    }

    /// The message for a member when no model is configured: what still works, and who can change it.
    public static let notConfigured = APIError.unavailable("model_not_configured",
        "AI rewriting is not set up on this server yet. You can still edit any sentence by hand; the site's operator can turn AI on.",
        korean: "이 서버에는 아직 AI 수정 기능이 설정되지 않았습니다. 문장은 직접 고칠 수 있으며, 사이트 운영자가 AI를 켤 수 있습니다.")
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
                let timedOut = isTimeout(error)
                if attempt < maxRetries && !timedOut {
                    attempt += 1
                    try await sleep(.milliseconds(500 << (attempt - 1)))
                    continue
                }
                throw timedOut
                    ? APIError.upstreamTimeout("model_timeout", "\(provider) did not answer in time. Please try again.",
                                               korean: "AI가 제시간에 답하지 않았습니다. 다시 시도해 주세요.")
                    : APIError.upstream("model_unreachable", "\(provider) could not be reached. Please try again.",
                                        korean: "AI 서비스에 연결할 수 없습니다. 다시 시도해 주세요.")
            }
            guard Self.isRetryable(response.status) else { return response }
            let retryAfter = response.headers["retry-after"].flatMap(Double.init)
            if let retryAfter, retryAfter > Self.longestWait {
                throw APIError.unavailable("model_busy", "\(provider) asks to wait \(Int(retryAfter)) s, longer than we wait (\(Int(Self.longestWait)) s). Please try again later.",
                                           korean: "AI 서비스가 바빠서 지금은 답할 수 없습니다. 잠시 후 다시 시도해 주세요.", retryAfter: Int(retryAfter))
            }
            guard attempt < maxRetries else {
                throw APIError.unavailable(response.status == 429 ? "model_rate_limited" : "model_unavailable",
                                           "\(provider) answered HTTP \(response.status) \(attempt + 1) times. Please try again later.",
                                           korean: "AI 서비스가 지금 요청을 처리하지 못합니다. 잠시 후 다시 시도해 주세요.", retryAfter: 30)
            }
            attempt += 1
            try await sleep(retryAfter.map { .milliseconds(Int($0 * 1000)) } ?? .milliseconds(500 << (attempt - 1)))
        }
    }
}

/// Reads a provider's error body: OpenAI's `{"error":{"message","type","code"}}` or Anthropic's
/// `{"type":"error","error":{"type","message"}}`.
func providerError(_ response: OutboundResponse, provider: String) -> APIError {
    let message = (try? JSONValue.parse(Array(response.body)))?["error"]?["message"]?.stringValue.map { String($0.prefix(300)) }
        ?? "HTTP \(response.status)"
    if response.status == 401 || response.status == 403 {
        var error = APIError.upstream("model_auth_failed", "\(provider) refused our credentials; the site's operator must check them.",
                                      korean: "AI 서비스가 인증을 거부했습니다. 사이트 운영자가 설정을 확인해야 합니다.")
        error.detail = "check GITFOLIO_LLM_API_KEY (\(message))"
        return error
    }
    var error = APIError.upstream("model_error", "\(provider) refused the request. Please try again.",
                                  korean: "AI 서비스가 요청을 거부했습니다. 다시 시도해 주세요.")
    error.detail = message
    return error
}

/// The first JSON object in a model's text (models sometimes wrap it in prose or code fences).
func jsonObject(in text: String, provider: String) throws -> JSONValue {
    if case .object? = try? JSONValue.parse(text) { return try JSONValue.parse(text) }
    if let start = text.firstIndex(of: "{"), let end = text.lastIndex(of: "}"), start < end,
       case .object? = try? JSONValue.parse(String(text[start...end])) {
        return try JSONValue.parse(String(text[start...end]))
    }
    throw APIError.upstream("model_bad_output", "\(provider) answered with something that is not the JSON we asked for. Please try again.",
                            korean: "AI의 답을 읽을 수 없었습니다. 다시 시도해 주세요.")
}
