// The fake KakaoPay of the test support as a process, for the browser tests and `gitfolio bench
// nightly`: the payment API and its approval page on loopback. `--port N` picks the port (default: a
// free one). Prints one JSON line with its URL, secret key and CID, then serves until its standard
// input closes. `GET /_fake/state` lists the charges it made. Never shipped.
import Foundation
import GitfolioTestSupport

var port: UInt16 = 0
if let i = CommandLine.arguments.firstIndex(of: "--port"), i + 1 < CommandLine.arguments.count {
    port = UInt16(CommandLine.arguments[i + 1]) ?? 0
}
let kakaoPay = try await FakeKakaoPay(port: port)
let line = try JSONSerialization.data(withJSONObject: ["url": kakaoPay.baseURL.absoluteString, "secretKey": kakaoPay.secretKey,
                                                       "cid": kakaoPay.cid])
FileHandle.standardOutput.write(line + Data("\n".utf8))
// Serve until the caller closes our standard input.
_ = await Task.detached { FileHandle.standardInput.readDataToEndOfFile() }.value
await kakaoPay.stop()
