import Foundation
import GitfolioCore

/// Any server speaking OpenAI's Chat Completions API (OpenAI, Ollama `/v1`, vLLM, llama.cpp's server,
/// LM Studio, Upstage Solar). Structured output uses the nested `json_schema.schema` form, which
/// llama.cpp requires (it silently ignores the flat form).
public struct OpenAICompatibleModel: LanguageModel {
    public var config: LLMConfig
    public var transport: any HTTPTransport
    public var retry: RetryPolicy

    public init(config: LLMConfig, transport: any HTTPTransport, retry: RetryPolicy = RetryPolicy()) {
        self.config = config
        self.transport = transport
        self.retry = retry
    }

    public func complete(system: String, user: String, schema: OutputSchema) async throws -> [String: Any] {
        let body: [String: Any] = [
            "model": config.model, "temperature": 0.2,
            "messages": [["role": "system", "content": system], ["role": "user", "content": user]],
            "response_format": ["type": "json_schema", "json_schema": ["name": schema.name, "schema": schema.schema, "strict": true]],
        ]
        var headers = ["Content-Type": "application/json", "Accept": "application/json"]
        if let key = config.apiKey { headers["Authorization"] = "Bearer \(key)" }
        let response = try await retry.send(
            OutboundRequest(method: "POST", url: config.baseURL.appendingPathComponent("chat/completions"), headers: headers,
                            body: try JSONSerialization.data(withJSONObject: body)),
            via: transport, provider: "The model server")
        guard response.status == 200 else { throw providerError(response, provider: "The model server") }
        guard let root = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let choice = (root["choices"] as? [[String: Any]])?.first,
              let content = (choice["message"] as? [String: Any])?["content"] as? String
        else { throw APIError.upstream("model_bad_output", "The model server's answer had no message content.") }
        return try jsonObject(in: content, provider: "The model server")
    }
}

/// Anthropic's Messages API: `x-api-key`, `anthropic-version: 2023-06-01`, `max_tokens` required,
/// `system` at the top level. The schema is given in the system prompt and the answer parsed as JSON.
public struct AnthropicModel: LanguageModel {
    public var config: LLMConfig
    public var transport: any HTTPTransport
    public var retry: RetryPolicy
    public var maxTokens = 2048

    public init(config: LLMConfig, transport: any HTTPTransport, retry: RetryPolicy = RetryPolicy()) {
        self.config = config
        self.transport = transport
        self.retry = retry
    }

    public func complete(system: String, user: String, schema: OutputSchema) async throws -> [String: Any] {
        let schemaText = String(decoding: try JSONSerialization.data(withJSONObject: schema.schema, options: [.sortedKeys]), as: UTF8.self)
        let body: [String: Any] = [
            "model": config.model, "max_tokens": maxTokens, "temperature": 0.2,
            "system": system + "\n\nAnswer with one JSON object only, matching this JSON schema (\(schema.name)):\n" + schemaText,
            "messages": [["role": "user", "content": user]],
        ]
        let response = try await retry.send(
            OutboundRequest(method: "POST", url: config.baseURL.appendingPathComponent("v1/messages"),
                            headers: ["Content-Type": "application/json", "x-api-key": config.apiKey ?? "",
                                      "anthropic-version": "2023-06-01"],
                            body: try JSONSerialization.data(withJSONObject: body)),
            via: transport, provider: "Anthropic")
        guard response.status == 200 else { throw providerError(response, provider: "Anthropic") }
        guard let root = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let blocks = root["content"] as? [[String: Any]]
        else { throw APIError.upstream("model_bad_output", "Anthropic's answer had no content.") }
        let text = blocks.filter { $0["type"] as? String == "text" }.compactMap { $0["text"] as? String }.joined()
        return try jsonObject(in: text, provider: "Anthropic")
    }
}

extension LLMConfig {
    /// The model this configuration describes, over the given transport.
    public func model(transport: any HTTPTransport, retry: RetryPolicy = RetryPolicy()) -> any LanguageModel {
        switch provider {
        case .openai: OpenAICompatibleModel(config: self, transport: transport, retry: retry)
        case .anthropic: AnthropicModel(config: self, transport: transport, retry: retry)
        }
    }
}
