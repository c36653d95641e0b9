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

    struct Answer: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { var content: String? }
            var message: Message
        }
        var choices: [Choice]
    }

    public func complete(system: String, user: String, schema: OutputSchema) async throws -> JSONValue {
        let body: JSONValue = [
            "model": .string(config.model), "temperature": .number("0.2"),
            "messages": [["role": "system", "content": .string(system)], ["role": "user", "content": .string(user)]],
            "response_format": ["type": "json_schema", "json_schema": ["name": .string(schema.name), "schema": schema.schema, "strict": true]],
        ]
        var headers = ["Content-Type": "application/json", "Accept": "application/json"]
        if let key = config.apiKey { headers["Authorization"] = "Bearer \(key)" }
        let response = try await retry.send(
            OutboundRequest(method: "POST", url: config.baseURL.appendingPathComponent("chat/completions"), headers: headers,
                            body: Data(body.serialized.utf8)),
            via: transport, provider: "The model server")
        guard response.status == 200 else { throw providerError(response, provider: "The model server") }
        guard let answer = try? JSONValue.decode(Answer.self, from: Array(response.body)), let content = answer.choices.first?.message.content
        else {
            throw APIError.upstream("model_bad_output", "The model server's answer had no message content. Please try again.",
                                    korean: "AI의 답이 비어 있었습니다. 다시 시도해 주세요.")
        }
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

    struct Answer: Decodable {
        struct Block: Decodable {
            var type: String
            var text: String?
        }
        var content: [Block]
    }

    public func complete(system: String, user: String, schema: OutputSchema) async throws -> JSONValue {
        let body: JSONValue = [
            "model": .string(config.model), "max_tokens": .int(Int64(maxTokens)), "temperature": .number("0.2"),
            "system": .string(system + "\n\nAnswer with one JSON object only, matching this JSON schema (\(schema.name)):\n"
                + schema.schema.serialized),
            "messages": [["role": "user", "content": .string(user)]],
        ]
        let response = try await retry.send(
            OutboundRequest(method: "POST", url: config.baseURL.appendingPathComponent("v1/messages"),
                            headers: ["Content-Type": "application/json", "x-api-key": config.apiKey ?? "",
                                      "anthropic-version": "2023-06-01"],
                            body: Data(body.serialized.utf8)),
            via: transport, provider: "Anthropic")
        guard response.status == 200 else { throw providerError(response, provider: "Anthropic") }
        guard let answer = try? JSONValue.decode(Answer.self, from: Array(response.body)) else {
            throw APIError.upstream("model_bad_output", "Anthropic's answer had no content. Please try again.",
                                    korean: "AI의 답이 비어 있었습니다. 다시 시도해 주세요.")
        }
        return try jsonObject(in: answer.content.filter { $0.type == "text" }.compactMap(\.text).joined(), provider: "Anthropic")
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
