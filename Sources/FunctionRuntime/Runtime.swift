import Foundation
import FunctionCore
import GitfolioCore

public enum RunMode: String, Sendable {
    case oneShot = "one-shot", warm, cgi
}

public struct FunctionContext: Sendable {
    public var name: String
    public var mode: RunMode
    public var log: Log

    public init(name: String, mode: RunMode, log: Log? = nil) {
        self.name = name
        self.mode = mode
        self.log = log ?? Log(label: name)
    }
}

/// A function: a plain async value that tests call directly and every runner shares.
public typealias FunctionHandler = @Sendable (FunctionRequest, FunctionContext) async throws -> FunctionResponse

public enum FunctionRuntime {
    /// The largest event (one JSON document or line) a runner reads.
    public static let maxEventBytes = FunctionLimits.maxEventBytes
    /// The largest request body a handler is given.
    public static let maxBodyBytes = FunctionLimits.maxBodyBytes

    /// Decodes one event, runs the handler and turns every failure into a JSON error response.
    public static func respond(to event: Data, context: FunctionContext, handler: FunctionHandler) async -> FunctionResponse {
        if event.count > maxEventBytes { return .error(.payloadTooLarge(limit: maxBodyBytes)) }
        let request: FunctionRequest
        do {
            request = try JSONDecoder().decode(FunctionRequest.self, from: event)
        } catch {
            return .error(.badRequest("malformed_event", "The request event is not a valid payload 2.0 JSON object: \(describe(error))."))
        }
        return await respond(to: request, context: context, handler: handler)
    }

    public static func respond(to request: FunctionRequest, context: FunctionContext, handler: FunctionHandler) async -> FunctionResponse {
        if let body = request.body, body.utf8.count > (request.isBase64Encoded ? maxBodyBytes * 4 / 3 + 4 : maxBodyBytes) {
            return .error(.payloadTooLarge(limit: maxBodyBytes))
        }
        do {
            return try await handler(request, context)
        } catch let error as APIError {
            if error.status >= 500 { context.log.error("\(request.method) \(request.rawPath): \(error)") }
            return .error(error)
        } catch {
            context.log.error("\(request.method) \(request.rawPath): unexpected \(type(of: error)): \(error)")
            return .error(.internal())
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "missing \((ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "wrong type at \(ctx.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted:
            return "not JSON"
        default:
            return "unreadable"
        }
    }

    public static func encode(_ response: FunctionResponse) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(response)) ?? Data(#"{"statusCode":500,"body":""}"#.utf8)
    }
}
