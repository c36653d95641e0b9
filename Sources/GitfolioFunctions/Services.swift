import Foundation
import GitfolioCore
import GitfolioGitHub
import GitfolioLLM
import GitfolioStore

/// Everything a handler touches outside itself, passed in one value so tests can build their own.
public struct Services: Sendable {
    public var config: Config
    public var database: AppDatabase
    public var cipher: TokenCipher
    public var transport: any HTTPTransport
    public var clock: any Clock
    /// The configured language model (nil: the offline writer only), or why its settings are unusable.
    public var llm: Result<LLMConfig?, APIError>

    public init(config: Config, database: AppDatabase, cipher: TokenCipher, transport: any HTTPTransport = NoNetworkTransport(),
                clock: any Clock = SystemClock(), llm: LLMConfig? = nil) {
        self.config = config
        self.database = database
        self.cipher = cipher
        self.transport = transport
        self.clock = clock
        self.llm = .success(llm)
    }

    /// Services from a configuration: the database file must exist (`gitfolio migrate` or `serve`
    /// made it) unless `createDatabase`.
    public static func live(config: Config, transport: any HTTPTransport = NoNetworkTransport(),
                            createDatabase: Bool = false) throws -> Services {
        let database = try AppDatabase(path: config.databasePath, create: createDatabase)
        let cipher = try TokenCipher.load(environmentValue: config.secretKey, file: config.secretFile)
        var services = Services(config: config, database: database, cipher: cipher, transport: transport)
        services.llm = Result { try LLMConfig.from(config) }.mapError { $0 as? APIError ?? .internal("\($0)") }
        return services
    }

    /// The model settings, or the operator's mistake in them (a 500 whose detail goes to the log).
    public func languageModel() throws -> LLMConfig? { try llm.get() }

    public var github: GitHub { GitHub(transport: transport, config: config, clock: clock) }

    /// The GitHub client's caches, in this database.
    public var githubCache: any GitHubCache { database }

    public var redirectURI: String { config.publicURL.appending("api/auth-callback") }

    public var now: Date { clock.now() }

    /// Counts one request against `limit` (`RateLimits`) for the member and the request's client
    /// address; a 429 with Retry-After when over it.
    public func limit(_ limit: RateLimit, member: Member?, _ request: FunctionRequest) throws {
        try database.database.take(limit, memberID: member?.id, request: request, config: config, now: Int64(now.timeIntervalSince1970))
    }
    public var today: CivilDate { SeoulCalendar.date(ofEpoch: Int64(clock.now().timeIntervalSince1970)) }
}

/// Builds the services once per process (a warm process reuses them) and hands them to a handler.
final class ServiceCache: @unchecked Sendable {
    static let shared = ServiceCache()
    private let lock = NSLock()
    private var services: Services?

    func get(transport: () -> any HTTPTransport) throws -> Services {
        try lock.withLock {
            if let services { return services }
            let made = try Services.live(config: try Config(environment: ProcessInfo.processInfo.environment), transport: transport())
            services = made
            return made
        }
    }
}

public typealias ServiceHandler = @Sendable (Services, FunctionRequest, FunctionContext) async throws -> FunctionResponse

/// The handler a function executable runs: live services, built lazily on the first request.
/// Functions that call out pass the real transport; the others never load an HTTP client.
public func liveHandler(_ handler: @escaping ServiceHandler,
                        transport: @escaping @Sendable () -> any HTTPTransport = { NoNetworkTransport() }) -> FunctionRunner.AsyncHandler {
    { request, context in
        try await handler(try ServiceCache.shared.get(transport: transport), request, context)
    }
}
