import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioResume
import Testing

@Suite struct IdentityTests {
    @Test(arguments: [
        ("git@github.com:alice/shop.git", "https://github.com/alice/shop"),
        ("https://alice:secret@gitlab.com/group/sub/shop.git", "https://gitlab.com/group/sub/shop"),
        ("ssh://git@bitbucket.org:22/team/shop.git", "https://bitbucket.org/team/shop"),
    ])
    func webAddressFromTheRemote(remote: String, url: String) {
        #expect(RepositoryIdentity.webURL(fromRemote: remote) == url)
    }

    @Test func nameAndLinkFromOriginNeverFromTheReadme() throws {
        let repo = try TestRepository()
        defer { repo.dir.remove() }
        try repo.commit("Add README", by: alice, on: "2024-02-01T10:00:00+09:00", files: [
            "README.md": "<p align=\"center\"><img src=\"logo.png\"></p>\n\n# Shop\n\n[![ci](https://x/b.svg)](https://x)\n\n| a | b |\n| - | - |\n\n[Watch the demo video](https://youtu.be/x).\n\nA **small** shop with a <b>React</b> front end and an Express API.\n",
        ])
        let local = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email]).analyze()
        #expect(local.name == "Shop")  // no remote: the README's title, not the folder
        #expect(local.readmeSummary == "A small shop with a React front end and an Express API.")
        try repo.git("remote", "add", "origin", "git@github.com:alice/hb-shop.git")
        let evidence = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email]).analyze()
        #expect(evidence.name == "hb-shop" && evidence.origin == "https://github.com/alice/hb-shop")
    }

    @Test func nameFromCommitsAndNoNoreplyContact() throws {
        let repo = try TestRepository()
        defer { repo.dir.remove() }
        let me = (name: "Alice Kim", email: "1234+alice@users.noreply.github.com")
        try repo.commit("Add app", by: me, on: "2024-02-01T10:00:00+09:00", files: ["app.py": "import flask\n"])
        let evidence = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [me.email]).analyze()
        let resume = OfflineWriter().write(evidence: [evidence], profile: Profile(email: me.email), template: .basic, language: .en)
        #expect(resume.profile.name == "Alice Kim")
        #expect(resume.profile.email == "")
        #expect(Resume.isNoreply("a@users.noreply.github.com") && Resume.isNoreply("noreply@example.com") && !Resume.isNoreply("a@example.com"))
        // A profile (My page) wins over the commits.
        #expect(OfflineWriter().write(evidence: [evidence], profile: Profile(name: "김앨리스"), template: .basic, language: .ko).profile.name == "김앨리스")
    }
}
