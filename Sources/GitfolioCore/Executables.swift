import Foundation

/// The folder holding the function executables: beside this `gitfolio` binary unless told.
public func functionsDirectory(_ option: String?) -> URL {
    if let option { return URL(fileURLWithPath: option).standardizedFileURL }
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    if CommandLine.arguments[0].contains("/") { return exe.deletingLastPathComponent() }
    return (Bundle.main.executableURL ?? exe).deletingLastPathComponent()
}
