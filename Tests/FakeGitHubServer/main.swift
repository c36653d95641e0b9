// The fake GitHub of the test support as a process, for the browser tests: OAuth, GraphQL and REST
// on loopback, serving alice-dev with two repositories. Prints one JSON line with its URL and the
// OAuth app's id and secret, then serves until its standard input closes. Never shipped.
import Foundation
import GitfolioTestSupport

let github = try await FakeGitHub()
await github.state.setRepositories(
    owned: [
        FakeRepository(owner: "alice-dev", name: "shop-web", languages: [("TypeScript", 9000), ("CSS", 800)], topics: ["docker"],
                       readme: "# shop-web\n\nAn online shop with a cart and payments.", commits: 40,
                       files: ["package.json": #"{"dependencies":{"react":"18","express":"4"}}"#, "README.md": "# shop-web",
                               ".github/workflows/ci.yml": "on: push\n"],
                       commitLog: [("Fix payment rounding error", "2024-03-02"), ("Add cart page", "2024-02-10"), ("Initial commit", "2024-01-05")],
                       pullRequests: (5, 3)),
        FakeRepository(owner: "alice-dev", name: "notes-api", languages: [("Go", 5000)], topics: ["postgresql"],
                       readme: "# notes-api\n\nA small notes service.", commits: 12,
                       files: ["go.mod": "module notes\n\nrequire github.com/gin-gonic/gin v1.9.1\n"],
                       commitLog: [("Add search", "2023-11-20"), ("Initial commit", "2023-10-01")]),
    ],
    contributed: [])
let line = try JSONSerialization.data(withJSONObject: ["url": github.baseURL.absoluteString, "clientID": github.clientID,
                                                       "clientSecret": github.clientSecret])
FileHandle.standardOutput.write(line + Data("\n".utf8))
// Serve until the test closes our standard input.
_ = await Task.detached { FileHandle.standardInput.readDataToEndOfFile() }.value
await github.stop()
