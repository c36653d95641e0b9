import Foundation
import FunctionCore
import GitfolioCore
@testable import GitfolioGitHub
@testable import GitfolioLLM
@testable import GitfolioPay
import GitfolioEvidence
import GitfolioResume

/// The coverage-guided fuzz targets: every parser that reads outside input, one function each over
/// arbitrary bytes. Each must return (a refusal is a thrown error, caught here) and never trap.
///
/// `gitfolio-fuzz` (Tests/Fuzz/Driver, built only with `GITFOLIO_FUZZ=1` and `--sanitize=fuzzer`)
/// hands libFuzzer's inputs to `run`; the test suite replays the kept corpus
/// (Tests/Fuzz/corpus/<target>) through the same functions (FuzzCorpusTests). scripts/fuzz.sh builds
/// and runs them.
public enum FuzzTargets {
    public static let names = ["json", "event", "cgi", "profile", "resume", "jsonresume", "github", "kakaopay", "llm"]

    /// Runs one input through `target`. Unknown names trap (a driver misconfiguration).
    public static func run(_ target: String, _ bytes: [UInt8]) {
        switch target {
        case "json": json(bytes)
        case "event": event(bytes)
        case "cgi": cgi(bytes)
        case "profile": profile(bytes)
        case "resume": resume(bytes)
        case "jsonresume": jsonResume(bytes)
        case "github": github(bytes)
        case "kakaopay": kakaoPay(bytes)
        case "llm": llm(bytes)
        default: fatalError("unknown fuzz target \(target); one of \(names)")
        }
    }

    /// The strict JSON reader: a document it accepts is written back and read again to the same value
    /// (the serializer and the reader agree), and its depth limit holds.
    static func json(_ bytes: [UInt8]) {
        guard let value = try? JSONValue.parse(bytes) else { return }
        let text = value.serialized
        guard let again = try? JSONValue.parse(text) else { fatalError("the reader refused what the serializer wrote: \(text.prefix(200))") }
        if again != value { fatalError("a round trip changed the value: \(text.prefix(200))") }
    }

    /// A payload 2.0 event (one-shot and warm), and the response path: an accepted request's parts
    /// are read as the functions read them.
    static func event(_ bytes: [UInt8]) {
        guard let request = try? FunctionRequest.parse(event: bytes) else { return }
        _ = request.sessionToken
        _ = request.query("id")
        _ = request.header("origin")
        _ = try? request.jsonBody()
        let response = FunctionResponse.json(["method": .string(request.method), "path": .string(request.path)] as JSONValue)
        _ = try? FunctionResponse.parse(event: Array(response.event.utf8))
    }

    /// CGI/1.1: the input is `NAME=value` lines up to an empty line, then the body.
    static func cgi(_ bytes: [UInt8]) {
        var environment: [String: String] = [:]
        var rest = bytes[...]
        while let newline = rest.firstIndex(of: 0x0A) {
            let line = rest[rest.startIndex..<newline]
            rest = rest[(newline + 1)...]
            if line.isEmpty { break }
            let text = String(decoding: line, as: UTF8.self)
            if let equals = text.firstIndex(of: "=") { environment[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
        }
        let body = Array(rest)
        guard let request = try? CGI.request(environment: environment, body: { Array(body.prefix($0)) }) else { return }
        _ = request.sessionToken
        _ = try? request.jsonBody()
        _ = CGI.head(status: 200, headers: ["content-type": "application/json"], cookies: [])
    }

    static let today = CivilDate(year: 2026, month: 5, day: 4)

    /// My page's profile document (`PUT /api/me`), with its rules.
    static func profile(_ bytes: [UInt8]) {
        guard let document = try? JSONValue.parse(bytes) else { return }
        guard let profile = try? Profile.parse(document, today: today) else { return }
        // An accepted profile is stored as JSON and read back.
        guard let stored = try? JSONValue.serialize(profile), (try? JSONValue.decode(Profile.self, from: Array(stored.utf8))) != nil else {
            fatalError("an accepted profile does not read back")
        }
    }

    /// The resume document (stored, and `PUT /api/resume`'s document): decoded, written back, decoded again.
    static func resume(_ bytes: [UInt8]) {
        guard let resume = try? JSONValue.decode(Resume.self, from: bytes) else { return }
        guard let text = try? JSONValue.serialize(resume), let again = try? JSONValue.decode(Resume.self, from: Array(text.utf8)) else {
            fatalError("an accepted resume does not read back")
        }
        if again != resume { fatalError("a resume changed on a round trip") }
    }

    /// JSON Resume import (`gitfolio import`, the editor's import).
    static func jsonResume(_ bytes: [UInt8]) {
        for template in [Template.basic, .gitfolio] {
            _ = try? JSONResume.import(Data(bytes), template: template, language: nil)
        }
    }

    /// GitHub's answers: the token exchange, the user, the e-mails, the GraphQL import, the details.
    static func github(_ bytes: [UInt8]) {
        _ = try? JSONValue.decode(GitHub.TokenAnswer.self, from: bytes)
        _ = try? JSONValue.decode(GitHubUser.self, from: bytes)
        _ = try? JSONValue.decode([GitHubEmail].self, from: bytes)
        _ = try? JSONValue.decode(GraphQL.Answer.self, from: bytes)
        _ = try? JSONValue.decode(RepositoryDetails.self, from: bytes)
        _ = try? JSONValue.decode(GitHubImport.self, from: bytes)
    }

    /// KakaoPay's answers and error bodies.
    static func kakaoPay(_ bytes: [UInt8]) {
        _ = try? JSONValue.decode(KakaoPay.Ready.self, from: bytes)
        _ = try? JSONValue.decode(KakaoPay.Approval.self, from: bytes)
        _ = try? JSONValue.decode(KakaoPay.SubscriptionStatus.self, from: bytes)
        _ = try? JSONValue.decode(KakaoPay.Order.self, from: bytes)
        if let error = try? JSONValue.decode(KakaoPay.ErrorBody.self, from: bytes) { _ = "\(error)" }
    }

    /// The model's answers: the Chat Completions and Messages envelopes, the JSON object in the
    /// message's text, and the resume writer's reading of it (with one project to match).
    static func llm(_ bytes: [UInt8]) {
        _ = try? JSONValue.decode(OpenAICompatibleModel.Answer.self, from: bytes)
        _ = try? JSONValue.decode(AnthropicModel.Answer.self, from: bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        guard let object = try? jsonObject(in: text, provider: "fuzz") else { return }
        let writer = LLMWriter { _, _, _ in object }
        blocking {
            _ = try? await writer.write(evidence: [evidence], profile: Profile(), template: .gitfolio, language: .ko, request: "")
        }
    }

    static let evidence: RepositoryEvidence = {
        let json = #"""
        {"name":"shop-api","origin":"github","languages":[{"name":"Swift","bytes":100,"share":1}],
         "technologies":[{"name":"Vapor","category":"framework","sources":["Package.swift"]}],
         "contribution":{"authorEmails":[],"commits":3,"totalCommits":5,"linesAdded":10,"linesDeleted":2,"areas":[],"recentCommits":[]}}
        """#
        return try! JSONDecoder().decode(RepositoryEvidence.self, from: Data(json.utf8))
    }()

    /// Runs async work to its end on this thread's behalf (the fuzz callback is synchronous).
    static func blocking(_ work: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await work()
            done.signal()
        }
        done.wait()
    }
}
