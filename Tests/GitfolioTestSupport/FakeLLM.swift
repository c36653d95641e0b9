import Foundation
import HTTPServer

/// A local stand-in for an LLM provider: answers from a script, one entry per request, and records
/// every request. Speaks whatever the script says, so tests can play OpenAI-compatible servers and
/// Anthropic alike. Test support only: never shipped.
public final class FakeLLM: Sendable {
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
        public var delay: Duration
        public init(status: Int = 200, headers: [String: String] = [:], body: String, delay: Duration = .zero) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
        }

        /// An OpenAI-style completion whose message content is `content`.
        public static func chat(_ content: String) -> Reply {
            let object: [String: Any] = ["id": "chatcmpl-1", "object": "chat.completion", "model": "test",
                                         "choices": [["index": 0, "finish_reason": "stop", "message": ["role": "assistant", "content": content]]]]
            return Reply(body: String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }

        /// An Anthropic Messages answer whose text is `text`.
        public static func anthropic(_ text: String) -> Reply {
            let object: [String: Any] = ["id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
                                         "content": [["type": "text", "text": text]], "stop_reason": "end_turn"]
            return Reply(body: String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
    }

    public struct Seen: Sendable {
        public var path: String
        public var headers: [String: String]
        public var body: Data
        public var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
    }

    public actor Script {
        var replies: [Reply] = []
        public private(set) var seen: [Seen] = []
        public func load(_ replies: [Reply]) { self.replies = replies }
        func next(_ seen: Seen) -> Reply {
            self.seen.append(seen)
            return replies.isEmpty ? Reply(status: 500, body: #"{"error":{"message":"script exhausted"}}"#) : replies.removeFirst()
        }
    }

    public let script = Script()
    private let running: LoopbackServer
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    public init() async throws {
        var routes = LoopbackServer.Routes()
        let script = self.script
        routes.add("POST *") { request in
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.lowercased()] = field.value }
            let reply = await script.next(Seen(path: request.path, headers: headers, body: request.bodyData))
            try? await Task.sleep(for: reply.delay)
            var out = ["content-type": "application/json"]
            for (k, v) in reply.headers { out[k.lowercased()] = v }
            return HTTPResponse(status: reply.status, headers: out, body: Data(reply.body.utf8))
        }
        running = try await LoopbackServer(routes: routes)
    }

    public var port: UInt16 { running.port }

    public func stop() async { await running.stop() }
}
