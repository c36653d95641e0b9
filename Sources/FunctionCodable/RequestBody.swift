import FunctionCore

/// Codable on top of the runner: a request body as a typed value, a typed value as the response.
extension FunctionRequest {
    /// The body as a typed value: unknown fields refused, and every failure a field error (400)
    /// that names the field in both languages.
    public func decodeBody<T: Decodable>(_ type: T.Type) throws(APIError) -> T {
        let document = try jsonBody()
        guard case .object = document else {
            throw .badRequest("invalid_json", "The request body must be a JSON object.", korean: "요청 본문은 JSON 객체여야 합니다.")
        }
        do {
            return try document.decode(type, options: .init(rejectUnknownKeys: true))
        } catch let error as APIError {
            throw error
        } catch {
            guard let fields = FieldErrors.from(error) else { throw .badRequest("invalid_json", "The request body could not be read.") }
            throw APIError(fields: fields)
        }
    }
}

extension FunctionResponse {
    /// A typed body, encoded through `JSONValue` (keys sorted, the same text everywhere).
    public static func json(_ value: some Encodable, status: Int = 200, cookies: [String] = []) -> FunctionResponse {
        do {
            return json(try JSONValue(encoding: value), status: status, cookies: cookies)
        } catch {
            return .error(.internal("a response could not be encoded: \(error)"))
        }
    }
}
