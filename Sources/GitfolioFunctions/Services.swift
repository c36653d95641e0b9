import Foundation
import FunctionRuntime
import GitfolioCore
import GitfolioLLM
import GitfolioStore

/// Everything a handler touches outside itself, passed in one value so tests can build their own.
public struct Services: Sendable {
    public var config: Config
    public var database: AppDatabase
    public var cipher: TokenCipher
    public var transport: any HTTPTransport
    public var clock: any Clock
    /// The configured language model, if any (`GITFOLIO_LLM_*`); nil means the offline writer only.
    public var llm: LLMConfig?

    public init(config: Config, database: AppDatabase, cipher: TokenCipher,
                transport: any HTTPTransport = NoNetworkTransport(), clock: any Clock = SystemClock()) {
        self.config = config
        self.database = database
        self.cipher = cipher
        self.transport = transport
        self.clock = clock
    }

    /// Services from the process environment (see `Config` for the variables).
    public static func live(environment: [String: String] = ProcessInfo.processInfo.environment,
                            transport: any HTTPTransport = NoNetworkTransport()) throws -> Services {
        let config = try Config(environment: environment)
        let database = try AppDatabase(path: config.databasePath, access: .single)
        let cipher = try TokenCipher.load(environmentValue: config.secretKey, file: config.secretFile)
        var services = Services(config: config, database: database, cipher: cipher, transport: transport)
        services.llm = try LLMConfig.from(environment: environment)
        return services
    }

    public var github: GitHubClient? {
        config.github.map {
            GitHubClient(transport: transport, oauthURL: config.githubOAuthURL, apiURL: config.githubAPIURL, app: $0)
        }
    }

    public var redirectURI: String { config.publicURL.appendingPathComponent("api/auth-callback").absoluteString }
}

/// Builds the services once per process (a warm process reuses them) and hands them to a handler.
final class ServiceCache: @unchecked Sendable {
    static let shared = ServiceCache()
    private let lock = NSLock()
    private var services: Services?

    func get(transport: () -> any HTTPTransport) throws -> Services {
        lock.lock()
        defer { lock.unlock() }
        if let services { return services }
        let made = try Services.live(transport: transport())
        services = made
        return made
    }
}

public typealias ServiceHandler = @Sendable (Services, FunctionRequest, FunctionContext) async throws -> FunctionResponse

/// The handler a function executable runs: live services, built lazily on the first request.
/// Functions that call out pass the real transport; the others never load an HTTP client.
public func liveHandler(_ handler: @escaping ServiceHandler,
                        transport: @escaping @Sendable () -> any HTTPTransport = { NoNetworkTransport() }) -> FunctionHandler {
    { request, context in
        try await handler(try ServiceCache.shared.get(transport: transport), request, context)
    }
}
