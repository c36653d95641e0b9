import GitfolioResume
import Testing

/// The editor shows what a sentence rests on as a person reads it, linked where it can be.
@Suite struct EvidenceNotesTests {
    @Test func everyKindOfIdReadsAsADescription() {
        let resume = Resume.sample(.ko)
        let cases: [(String, String, String, String?)] = [
            ("market-api:commits", "Commit history of market-api", "market-api의 커밋 기록", "https://github.com/haneul-kim/market-api/commits"),
            ("market-api:file:.github/workflows/ci.yml", ".github/workflows/ci.yml in market-api", "market-api의 .github/workflows/ci.yml 파일",
             "https://github.com/haneul-kim/market-api/blob/HEAD/.github/workflows/ci.yml"),
            ("market-api:pr:58", "Pull request #58 in market-api", "market-api의 풀 리퀘스트 #58", "https://github.com/haneul-kim/market-api/pull/58"),
            ("market-api:prs", "Pull requests in market-api", "market-api의 풀 리퀘스트", "https://github.com/haneul-kim/market-api/pulls"),
            ("market-api:readme", "README of market-api", "market-api의 README", "https://github.com/haneul-kim/market-api#readme"),
            ("market-api:commit:0123456789abcdef", "Commit 0123456 in market-api", "market-api의 커밋 0123456",
             "https://github.com/haneul-kim/market-api/commit/0123456789abcdef"),
            ("nowhere:commits", "Commit history of nowhere", "nowhere의 커밋 기록", nil),
            ("odd", "odd", "odd", nil),
        ]
        for (id, en, ko, url) in cases {
            #expect(resume.note(for: id) == EvidenceNote(en: en, ko: ko, url: url), "\(id)")
        }
        // Every id the example cites has a note, none of them the raw id.
        let notes = resume.evidenceNotes()
        #expect(!notes.isEmpty)
        for (id, note) in notes { #expect(note.en != id && note.ko != id && note.url != nil, "\(id)") }
    }

    @Test func aClonesFolderOrAnotherHostIsNotLinked() {
        var resume = Resume.sample(.ko)
        resume.projects[0].repository = "/home/haneul/code/market-api"
        resume.projects[1].repository = "https://gitlab.com/haneul/settle-batch"
        resume.projects[2].repository = "https://github.com/haneul-kim/study-log.git"
        #expect(resume.note(for: "market-api:file:build.gradle").url == nil)
        #expect(resume.note(for: "settle-batch:pr:21").url == nil)
        #expect(resume.note(for: "study-log:file:src/a b.ts").url == "https://github.com/haneul-kim/study-log/blob/HEAD/src/a%20b.ts")
    }
}
