import Foundation
import GitfolioCore
import GitfolioHTTP
import GitfolioLLM
import GitfolioTestSupport
import Testing

/// Records the waits a retry policy asks for instead of sleeping.
final class Waits: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Duration] = []
    func add(_ d: Duration) { lock.lock(); list.append(d); lock.unlock() }
    var all: [Duration] { lock.lock(); defer { lock.unlock() }; return list }
}

let replacementSchema = OutputSchema(name: "revision", schema: [
    "type": "object", "additionalProperties": false, "required": ["replacement"],
    "properties": ["replacement": ["type": "string"]],
])

@Suite struct LLMClientTests {
    func openAI(_ fake: FakeLLM, waits: Waits, key: String? = "sk-test-secret", timeout: TimeInterval = 10) -> any LanguageModel {
        LLMConfig(provider: .openai, baseURL: fake.baseURL.appendingPathComponent("v1"), apiKey: key, model: "gpt-test")
            .model(transport: URLSessionTransport(timeout: timeout), retry: RetryPolicy(maxRetries: 3, sleep: { waits.add($0) }))
    }

    @Test func openAICompatibleRequestUsesTheNestedJSONSchemaForm() async throws {
        let fake = try await FakeLLM()
        defer { Task { await fake.stop() } }
        await fake.script.load([.chat(#"{"replacement":"주문 API 응답 시간 개선"}"#)])
        let answer = try await openAI(fake, waits: Waits()).complete(system: "You revise resumes.", user: "Make it shorter.", schema: replacementSchema)
        #expect(answer["replacement"]?.stringValue == "주문 API 응답 시간 개선")
        let seen = try #require(await fake.script.seen.first)
        #expect(seen.path == "/v1/chat/completions")
        #expect(seen.headers["authorization"] == "Bearer sk-test-secret")
        let body = try #require(seen.json)
        #expect(body["model"] as? String == "gpt-test")
        let format = try #require(body["response_format"] as? [String: Any])
        #expect(format["type"] as? String == "json_schema")
        let jsonSchema = try #require(format["json_schema"] as? [String: Any])
        #expect(jsonSchema["name"] as? String == "revision" && jsonSchema["strict"] as? Bool == true)
        #expect((jsonSchema["schema"] as? [String: Any])?["required"] as? [String] == ["replacement"])
        #expect((body["messages"] as? [[String: Any]])?.map { $0["role"] as? String } == ["system", "user"])
    }

    @Test func keylessLocalServersGetNoAuthorizationHeader() async throws {
        let fake = try await FakeLLM()
        defer { Task { await fake.stop() } }
        await fake.script.load([.chat("Sure! Here it is:\n```json\n{\"replacement\":\"x\"}\n```")])
        let answer = try await openAI(fake, waits: Waits(), key: nil).complete(system: "s", user: "u", schema: replacementSchema)
        #expect(answer["replacement"]?.stringValue == "x")  // JSON found inside prose and fences
        #expect(await fake.script.seen.first?.headers["authorization"] == nil)
    }

    @Test func retryAfterIsHonouredThenSucceeds() async throws {
        let fake = try await FakeLLM()
        defer { Task { await fake.stop() } }
        await fake.script.load([
            FakeLLM.Reply(status: 429, headers: ["retry-after": "2"], body: #"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#),
            FakeLLM.Reply(status: 503, body: #"{"error":{"message":"overloaded"}}"#),
            .chat(#"{"replacement":"ok"}"#),
        ])
        let waits = Waits()
        let answer = try await openAI(fake, waits: waits).complete(system: "s", user: "u", schema: replacementSchema)
        #expect(answer["replacement"]?.stringValue == "ok")
        #expect(waits.all == [.seconds(2), .milliseconds(1000)])  // retry-after, then backoff
        #expect(await fake.script.seen.count == 3)
    }

    @Test func retryAfterOverTwoMinutesIsNotWaitedFor() async throws {
        let fake = try await FakeLLM()
        defer { Task { await fake.stop() } }
        await fake.script.load([FakeLLM.Reply(status: 429, headers: ["retry-after": "600"], body: "{}")])
        let waits = Waits()
        await #expect(throws: APIError.self) { try await openAI(fake, waits: waits).complete(system: "s", user: "u", schema: replacementSchema) }
        #expect(waits.all.isEmpty)
        #expect(await fake.script.seen.count == 1)
    }

    @Test func persistentServerErrorsGiveUpAfterTheRetries() async throws {
        let fake = try await FakeLLM()
        defer { Task { await fake.stop() } }
        await fake.script.load(Array(repeating: FakeLLM.Reply(status: 500, body: #"{"error":{"message":"boom"}}"#), count: 5))
        do {
            _ = try await openAI(fake, waits: Waits()).complete(system: "s", user: "u", schema: replacementSchema)
            Issue.record("expected an error")
        } catch let error as APIError {
            #expect(error.code == "model_unavailable" && error.status == 503)
        }
        #expect(await fake.script.seen.count == 4)  // one try and three retries
    }

    @Test func clientErrorsAreNotRetriedAndNeverShowTheKey() async throws {
        let fake = try await FakeLLM()
        defer { Task { await fake.stop() } }
        await fake.script.load([
            FakeLLM.Reply(status: 404, body: #"{"error":{"message":"The model `gpt-x` does not exist","type":"invalid_request_error","code":"model_not_found"}}"#),
            FakeLLM.Reply(status: 401, body: #"{"error":{"message":"Incorrect API key provided: sk-test-secret","type":"invalid_request_error"}}"#),
        ])
        let model = openAI(fake, waits: Waits())
        do { _ = try await model.complete(system: "s", user: "u", schema: replacementSchema); Issue.record("expected an error") } catch let error as APIError {
            #expect(error.code == "model_error" && error.detail?.contains("does not exist") == true)
        }
        do { _ = try await model.complete(system: "s", user: "u", schema: replacementSchema); Issue.record("expected an error") } catch let error as APIError {
            #expect(error.code == "model_auth_failed")
            #expect(error.detail?.contains("GITFOLIO_LLM_API_KEY") == true)  // for the operator's log
            #expect(!error.body.serialized.contains("sk-test-secret"))
        }
        #expect(await fake.script.seen.count == 2)
    }

    @Test func malformedOutputIsAClearError() async throws {
        let fake = try await FakeLLM()
        defer { Task { await fake.stop() } }
        await fake.script.load([.chat("I cannot help with that."), FakeLLM.Reply(body: #"{"choices":[]}"#)])
        let model = openAI(fake, waits: Waits())
        for _ in 0..<2 {
            do { _ = try await model.complete(system: "s", user: "u", schema: replacementSchema); Issue.record("expected an error") } catch let error as APIError {
                #expect(error.code == "model_bad_output" && error.status == 502)
            }
        }
    }

    @Test func aSlowServerTimesOut() async throws {
        let fake = try await FakeLLM()
        defer { Task { await fake.stop() } }
        await fake.script.load([FakeLLM.Reply(body: "{}", delay: .seconds(3))])
        do {
            _ = try await openAI(fake, waits: Waits(), timeout: 1).complete(system: "s", user: "u", schema: replacementSchema)
            Issue.record("expected a timeout")
        } catch let error as APIError {
            #expect(error.code == "model_timeout" && error.status == 504)
        }
    }

    @Test func anthropicMessagesRequestAndAnswer() async throws {
        let fake = try await FakeLLM()
        defer { Task { await fake.stop() } }
        await fake.script.load([
            FakeLLM.Reply(status: 529, body: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#),
            .anthropic(#"{"replacement":"Cut p99 latency of the order API"}"#),
        ])
        let waits = Waits()
        let model = LLMConfig(provider: .anthropic, baseURL: fake.baseURL, apiKey: "sk-ant-secret", model: "claude-test")
            .model(transport: URLSessionTransport(), retry: RetryPolicy(sleep: { waits.add($0) }))
        let answer = try await model.complete(system: "You revise resumes.", user: "Make it quantitative.", schema: replacementSchema)
        #expect(answer["replacement"]?.stringValue == "Cut p99 latency of the order API")
        let seen = try #require(await fake.script.seen.last)
        #expect(seen.path == "/v1/messages")
        #expect(seen.headers["x-api-key"] == "sk-ant-secret" && seen.headers["anthropic-version"] == "2023-06-01")
        let body = try #require(seen.json)
        #expect(body["max_tokens"] as? Int == 2048)
        #expect((body["system"] as? String)?.hasPrefix("You revise resumes.") == true)
        #expect((body["messages"] as? [[String: Any]])?.count == 1)
        #expect(waits.all.count == 1)
    }

    @Test func configurationFromTheEnvironment() throws {
        #expect(try llmConfig([:]) == nil)
        let ollama = try #require(try llmConfig(["GITFOLIO_LLM_PROVIDER": "openai", "GITFOLIO_LLM_BASE_URL": "http://127.0.0.1:11434/v1/",
                                                                  "GITFOLIO_LLM_MODEL": "qwen2.5"]))
        #expect(ollama.baseURL.absoluteString == "http://127.0.0.1:11434/v1" && ollama.apiKey == nil)
        #expect(throws: APIError.self) { try llmConfig(["GITFOLIO_LLM_PROVIDER": "gemini", "GITFOLIO_LLM_MODEL": "x"]) }
        #expect(throws: APIError.self) { try llmConfig(["GITFOLIO_LLM_PROVIDER": "anthropic", "GITFOLIO_LLM_MODEL": "x"]) }
        #expect(throws: APIError.self) { try llmConfig(["GITFOLIO_LLM_PROVIDER": "openai"]) }
    }
}

@Suite struct LLMConfigTests {
    @Test func readsAConfigFileAndTheEnvironmentWins() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let file = dir.path("llm.json")
        try Data(#"{"provider":"openai","baseURL":"http://127.0.0.1:11434/v1/","model":"qwen2.5","apiKey":"sk-file"}"#.utf8)
            .write(to: URL(fileURLWithPath: file))
        let config = try #require(try llmConfig(["GITFOLIO_LLM_CONFIG": file]))
        #expect(config.provider == .openai && config.baseURL.absoluteString == "http://127.0.0.1:11434/v1")
        #expect(config.model == "qwen2.5" && config.apiKey == "sk-file")
        let overridden = try #require(try llmConfig(["GITFOLIO_LLM_CONFIG": file, "GITFOLIO_LLM_MODEL": "llama3.1"]))
        #expect(overridden.model == "llama3.1" && overridden.apiKey == "sk-file")
        #expect(try llmConfig([:]) == nil)
    }

    @Test func aBadConfigFileIsAClearError() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let file = dir.path("llm.json")
        for (text, says) in [(#"{"provider":"openai","modle":"x"}"#, "unknown key modle"), ("not json", "must be a JSON object"),
                             (#"{"provider":"openai","model":7}"#, "model must be a string"), (#"{"provider":"gemini","model":"x"}"#, "must be openai")] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
            do {
                _ = try llmConfig(["GITFOLIO_LLM_CONFIG": file])
                Issue.record("\(text) was accepted")
            } catch let error as APIError {
                #expect(error.detail?.contains(says) == true, "\(error)")
                #expect(error.status == 500 && !error.body.serialized.contains(file))  // the member sees no path
            }
        }
        #expect(throws: APIError.self) { try llmConfig(["GITFOLIO_LLM_CONFIG": dir.path("missing.json")]) }
    }
}

/// The model settings of an environment, as every function reads them.
func llmConfig(_ environment: [String: String]) throws -> LLMConfig? {
    try LLMConfig.from(try Config(environment: environment))
}
