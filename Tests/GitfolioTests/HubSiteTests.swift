import Foundation
import FunctionCore
import GitfolioCore
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import SiteBuilder
import Testing

/// The hub's static outputs (issue 12): what a publish, a withdrawal, an edit, a like and a deleted
/// account do to the built site, through the full build and the incremental one.
@Suite struct HubSiteTests {
    func builder(_ f: SiteFixture) -> SiteBuilder {
        SiteBuilder(options: .init(siteDirectory: f.site, contentDirectory: f.content, outputDirectory: f.out,
                                   publicURL: "https://gitfolio.example"),
                    database: f.database, progress: { _ in })
    }

    func exists(_ f: SiteFixture, _ path: String) -> Bool {
        FileManager.default.fileExists(atPath: f.out.appendingPathComponent(path).path)
    }

    /// The ids in `hub/index.json`, in order.
    func indexIDs(_ f: SiteFixture) throws -> [Int64] {
        let index = try JSONValue.parse(Array(Data(contentsOf: f.out.appendingPathComponent("hub/index.json"))))
        return (index["r"]?.arrayValue ?? []).compactMap { $0.arrayValue?.first?.int64Value }
    }

    func resumeFiles(_ id: Int64) -> Set<String> {
        ["resumes/\(id).html", "en/resumes/\(id).html", "resumes/\(id).pdf", "resumes/\(id).png"]
    }

    func publish(_ f: SiteFixture, _ member: Member, _ resume: Resume, title: String = "이력서") throws -> Int64 {
        let id = try f.database.createResume(memberID: member.id, title: title, resume: resume, now: Date())
        try f.database.setVisibility(.public, resumeID: id, memberID: member.id, now: Date())
        return id
    }

    @Test func publishingAddsThePageFilesAndIndexEntryAndWithdrawingRemovesThem() throws {
        let f = try SiteFixture()
        defer { f.dir.remove() }
        let b = builder(f)
        let owner = try f.database.upsertLocalMember(login: "owner", name: "owner", now: Date())
        _ = try b.build()
        #expect(try indexIDs(f).isEmpty)
        #expect(try b.catchUp() == nil, "nothing recorded, nothing to do")

        var resume = Resume.sample(.ko)
        resume.profile.name = "<b>김하늘</b>"
        let id = try publish(f, owner, resume)
        let report = try #require(try b.catchUp())
        #expect(resumeFiles(id).isSubset(of: Set(report.written)))
        #expect(Set(report.written).isSuperset(of: ["hub/index.json", "hub/index.html", "en/hub/index.html",
                                                      "hub/backend/index.html", "en/hub/backend/index.html", "hub/counts.json"]))
        #expect(try indexIDs(f) == [id])
        // The page: the document, the role, escaped text, Open Graph tags with the thumbnail.
        let page = try f.page("resumes/\(id).html")
        #expect(page.contains(#"<meta property="og:image" content="https://gitfolio.example/resumes/\#(id).png">"#))
        #expect(page.contains(#"<meta property="og:url" content="https://gitfolio.example/resumes/\#(id).html">"#))
        #expect(page.contains("&lt;b&gt;김하늘&lt;/b&gt;") && !page.contains("<b>김하늘</b>"))
        #expect(page.contains("백엔드") && page.contains("market-api"))
        #expect(try f.page("en/resumes/\(id).html").contains("Backend"))
        let list = try f.page("hub/index.html")
        #expect(list.contains(#"data-id="\#(id)""#) && list.contains("&lt;b&gt;김하늘&lt;/b&gt;"))
        #expect(try f.page("hub/backend/index.html").contains(#"data-id="\#(id)""#))
        #expect(!(try f.page("hub/frontend/index.html")).contains(#"data-id="\#(id)""#))
        #expect(try b.catchUp() == nil, "the changes are forgotten once applied")

        // Withdrawn: page, PDF, thumbnail gone, out of the index and the lists.
        try f.database.setVisibility(.private, resumeID: id, memberID: owner.id, now: Date())
        let withdrawn = try #require(try b.catchUp())
        #expect(Set(withdrawn.removed) == resumeFiles(id))
        for path in resumeFiles(id) { #expect(!exists(f, path), "\(path) is still there") }
        #expect(try indexIDs(f).isEmpty)
        #expect(!(try f.page("hub/index.html")).contains(#"data-id="\#(id)""#))
        // A full build agrees with the incremental one: nothing to write, nothing to remove.
        let full = try b.build()
        #expect(full.removed.isEmpty)
        #expect(full.written.isEmpty, "written again: \(full.written)")
    }

    @Test func oneLikeRendersOnlyTheOutputsThatShowThatResumesCounts() throws {
        let f = try SiteFixture()
        defer { f.dir.remove() }
        let b = builder(f)
        let owner = try f.database.upsertLocalMember(login: "owner", name: "owner", now: Date())
        let reader = try f.database.upsertLocalMember(login: "reader", name: "reader", now: Date())
        let third = try f.database.upsertLocalMember(login: "third", name: "third", now: Date())
        // 25 resumes: the "all" list has two pages; backend and frontend lists one each.
        var ids: [Int64] = []
        for i in 0..<25 {
            var resume = Resume.sample(.en)
            resume.profile.jobRole = i % 2 == 0 ? .backend : .frontend
            resume.profile.name = "Member \(i)"
            ids.append(try publish(f, i < 10 ? owner : i < 20 ? reader : third, resume))
        }
        _ = try b.build()
        #expect(try indexIDs(f) == ids.reversed(), "newest first")
        #expect(try b.build().written.isEmpty)
        let index = try Data(contentsOf: f.out.appendingPathComponent("hub/index.json"))

        // The oldest (backend) resume is on page 2 of "all" and on page 1 of "backend".
        let liked = ids[0]
        _ = try f.database.database.like(resumeID: liked, memberID: reader.id, now: Int64(Date().timeIntervalSince1970))
        let report = try #require(try b.catchUp())
        #expect(Set(report.written) == [
            "hub/counts.json", "hub/page/2.html", "en/hub/page/2.html", "hub/backend/index.html", "en/hub/backend/index.html",
            "resumes/\(liked).html", "en/resumes/\(liked).html",
        ])
        #expect(report.removed.isEmpty)
        #expect(try Data(contentsOf: f.out.appendingPathComponent("hub/index.json")) == index, "the index holds no counts")
        let counts = try JSONValue.parse(Array(Data(contentsOf: f.out.appendingPathComponent("hub/counts.json"))))
        #expect(counts["c"]?[String(liked)]?.arrayValue?.first?.int64Value == 1)
        // One like, in the singular; no comment, in the plural.
        let likedPage = try f.page("en/resumes/\(liked).html")
        #expect(likedPage.contains(#"<span class="n">1</span> like</span>"#) && likedPage.contains(#"<span class="n">0</span> comments</span>"#))

        // Views are not changes; the counts file catches up when asked to refresh.
        _ = try f.database.database.recordView(resumeID: ids[3], visitor: "a:1", viewerID: nil, now: Int64(Date().timeIntervalSince1970))
        #expect(try b.catchUp() == nil)
        #expect(try b.catchUp(refreshingCounts: true)?.written == ["hub/counts.json"])
        #expect(try b.catchUp(refreshingCounts: true) == nil, "unchanged counts are not written again")

        // After incremental builds, a full build finds every output current but those that show the
        // view (static pages show the counts as they were when they were last rendered).
        let viewed = ids[3]
        #expect(Set(try b.build().written) == ["hub/page/2.html", "en/hub/page/2.html", "hub/frontend/index.html",
                                                "en/hub/frontend/index.html", "resumes/\(viewed).html", "en/resumes/\(viewed).html"])
        #expect(try b.build().written.isEmpty)
    }

    @Test func anEditRendersThePageAndFilesAndADeletedAccountRemovesEverything() throws {
        let f = try SiteFixture()
        defer { f.dir.remove() }
        let b = builder(f)
        let owner = try f.database.upsertLocalMember(login: "owner", name: "owner", now: Date())
        let reader = try f.database.upsertLocalMember(login: "reader", name: "reader", now: Date())
        let id = try publish(f, owner, Resume.sample(.ko))
        let other = try publish(f, reader, Resume.sample(.en))
        _ = try f.database.database.like(resumeID: other, memberID: owner.id, now: Int64(Date().timeIntervalSince1970))
        _ = try b.build()

        var edited = Resume.sample(.ko)
        edited.aboutMe.text = "고친 자기소개입니다."
        _ = try f.database.saveResume(edited, id: id, memberID: owner.id, expectedVersion: 1, path: "aboutMe", now: Date())
        let report = try #require(try b.catchUp())
        #expect(resumeFiles(id).isSubset(of: Set(report.written)))
        #expect(!report.written.contains { $0.contains("resumes/\(other).") }, "the other resume is untouched")
        #expect(try f.page("resumes/\(id).html").contains("고친 자기소개입니다."))

        // The owner's account goes: their resume's outputs go, and the like they gave is taken back.
        #expect(try f.database.deleteMember(id: owner.id))
        let deleted = try #require(try b.catchUp())
        #expect(Set(deleted.removed) == resumeFiles(id))
        #expect(try indexIDs(f) == [other])
        let counts = try JSONValue.parse(Array(Data(contentsOf: f.out.appendingPathComponent("hub/counts.json"))))
        #expect(counts["c"]?[String(other)]?.arrayValue?.first?.int64Value == 0)
        #expect(try f.page("en/resumes/\(other).html").contains(#"<span class="n">0</span> like"#))
    }

    @Test func listPagesArePagedBrowsableWithoutScriptAndShrinkWhenResumesLeave() throws {
        let f = try SiteFixture()
        defer { f.dir.remove() }
        let b = builder(f)
        let owner = try f.database.upsertLocalMember(login: "owner", name: "owner", now: Date())
        var members = [owner]
        for i in 1...2 { members.append(try f.database.upsertLocalMember(login: "m\(i)", name: "m\(i)", now: Date())) }
        var ids: [Int64] = []
        for i in 0..<21 { ids.append(try publish(f, members[i / 10], Resume.sample(.ko))) }
        _ = try b.build()
        let first = try f.page("hub/index.html")
        #expect(first.contains(#"rel="next" href="/hub/page/2.html""#))
        #expect(first.components(separatedBy: "class=\"hub-card\"").count - 1 == 20)
        #expect(try f.page("en/hub/page/2.html").contains(#"rel="prev" href="/en/hub/index.html""#))
        // One withdrawal: 20 left, the second page goes.
        try f.database.setVisibility(.private, resumeID: ids[20], memberID: members[2].id, now: Date())
        let report = try #require(try b.catchUp())
        #expect(Set(report.removed).isSuperset(of: ["hub/page/2.html", "en/hub/page/2.html", "hub/backend/page/2.html"]))
        #expect(!(try f.page("hub/index.html")).contains("rel=\"next\""))
    }
}
