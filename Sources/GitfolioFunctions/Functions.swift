import GitfolioCore

/// The handlers of the function executables, with live services: each `Functions/<name>/main.swift`
/// runs one of these through `FunctionRunner`. (`resume`'s is in RenderFunctions, so that only its
/// executable links Pango and Cairo; `session` is built without this module at all.)
public enum Functions {
    public static func login(transport: @escaping @Sendable () -> any HTTPTransport) -> FunctionRunner.AsyncHandler {
        liveHandler(LoginFunction.handler, transport: transport)
    }
    public static func authCallback(transport: @escaping @Sendable () -> any HTTPTransport) -> FunctionRunner.AsyncHandler {
        liveHandler(AuthCallbackFunction.handler, transport: transport)
    }
    public static func generate(transport: @escaping @Sendable () -> any HTTPTransport) -> FunctionRunner.AsyncHandler {
        liveHandler(GenerateFunction.handler, transport: transport)
    }
    public static func revise(transport: @escaping @Sendable () -> any HTTPTransport) -> FunctionRunner.AsyncHandler {
        liveHandler(ReviseFunction.handler, transport: transport)
    }
    public static func repositories(transport: @escaping @Sendable () -> any HTTPTransport) -> FunctionRunner.AsyncHandler {
        liveHandler(RepositoriesFunction.handler, transport: transport)
    }
    public static let logout = liveHandler(LogoutFunction.handler)
    /// `me` makes no outbound calls (linking the HTTP client, libcurl and its 30 libraries, would make
    /// its one-shot start about 2.5x slower): an account with an active subscription is deleted through
    /// `subscription`, which stops the subscription at KakaoPay first.
    public static let me = liveHandler(MeFunction.handler)
    public static let comment = liveHandler(CommentFunction.handler)
    public static let notifications = liveHandler(NotificationsFunction.handler)
    public static func subscription(transport: @escaping @Sendable () -> any HTTPTransport) -> FunctionRunner.AsyncHandler {
        liveHandler(SubscriptionFunction.handler, transport: transport)
    }
    public static func payWebhook(transport: @escaping @Sendable () -> any HTTPTransport) -> FunctionRunner.AsyncHandler {
        liveHandler(PayWebhookFunction.handler, transport: transport)
    }
    public static func nightly(transport: @escaping @Sendable () -> any HTTPTransport) -> FunctionRunner.AsyncHandler {
        liveHandler(NightlyFunction.handler, transport: transport)
    }
}
