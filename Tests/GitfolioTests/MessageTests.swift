import Foundation
import FunctionCore
import GitfolioCore
import GitfolioFunctions
import GitfolioTestSupport
import Testing

/// Every validation message, in both languages, reads as a sentence for a person: no field paths,
/// no variable names, and the Korean particle that fits the word before it. Checked over the whole
/// set: every field the clients send (alone and inside lists) with every reason a field can fail.
@Suite struct MessageTests {
    /// The paths clients send: every labelled field, and each list's fields inside entries.
    static let paths: [String] = {
        var paths = FieldLabels.knownFields.sorted()
        let entries: [String: [String]] = [
            "education": ["schoolType", "schoolName", "major", "status", "start", "end"],
            "workExperience": ["company", "title", "workType", "employment", "start", "end", "description"],
            "certificates": ["name", "issuer", "acquired"],
            "links": ["title", "url"],
        ]
        for (list, fields) in entries.sorted(by: { $0.key < $1.key }) {
            paths.append("\(list)[0]")
            paths += fields.map { "\(list)[2].\($0)" }
        }
        paths += ["repositories[4]", "projects[0].bullets[1]", "projects[1].name", "unknownThing", "plan", ""]
        return paths
    }()

    /// Every reason, with the rules the code states (each `.rule` in Sources, by its wording).
    static let reasons: [FieldError.Reason] = [
        .required, .tooLong(max: 50), .tooMany(max: 20), .wrongType(expected: .text), .wrongType(expected: .number),
        .wrongType(expected: .boolean), .wrongType(expected: .list), .wrongType(expected: .object),
        .oneOf(english: ["Backend", "Frontend"], korean: ["백엔드", "프론트엔드"]), .endBeforeStart, .inFuture,
        .tooFarAhead(years: 8), .unknown,
        .rule(english: "must be an email address such as name@example.com", korean: "name@example.com 같은 이메일 주소여야 합니다"),
        .rule(english: "may hold only digits, spaces, +, - and brackets", korean: "숫자, 공백, +, -, 괄호만 쓸 수 있습니다"),
        .rule(english: "must be a month written like 2024.03", korean: "2024.03처럼 연.월로 써야 합니다"),
        .rule(english: "must be a web address starting with http:// or https://", korean: "http:// 또는 https://로 시작하는 주소여야 합니다"),
        .rule(english: "cannot contain control characters", korean: "제어 문자를 쓸 수 없습니다"),
        .rule(english: "must be empty for a job you still have", korean: "재직 중인 회사에는 비워 두어야 합니다"),
        .rule(english: "has a value that is not allowed", korean: "허용되지 않는 값입니다"),
        .rule(english: "must be the version you loaded", korean: "불러온 버전이어야 합니다"),
        .rule(english: "names no part of this resume", korean: "이 이력서에 없는 위치입니다"),
        .rule(english: "must be confirmed to delete the account", korean: "계정을 삭제하려면 확인되어야 합니다"),
        .rule(english: "must be a date written like 2026-03-31", korean: "2026-03-31처럼 날짜로 써야 합니다"),
        .rule(english: "must be between 1 and 64", korean: "1에서 64 사이여야 합니다"),
        .rule(english: "must be between 120 and 600", korean: "120에서 600 사이여야 합니다"),
        .rule(english: "may hold only letters, digits and hyphens, starting with a letter or digit",
              korean: "영문자, 숫자, 하이픈(-)만 쓸 수 있고 영문자나 숫자로 시작해야 합니다"),
        .rule(english: "must name repositories as owner/name", korean: "owner/name 형식으로 저장소를 적어야 합니다"),
    ]

    @Test func everyFieldWithEveryReasonReadsAsASentenceInBothLanguages() {
        var checked = 0
        for path in Self.paths {
            for reason in Self.reasons {
                let error = APIError(field: FieldError(path, reason))
                let en = error.message, ko = error.korean ?? ""
                checked += 1
                // English: a capitalised sentence, no path, no identifier.
                #expect(en.first?.isUppercase == true && en.hasSuffix("."), "\(path) \(reason): \(en)")
                #expect(!Self.looksLikeCode(en), "English names a path or variable: \(en)")
                // Korean: a sentence ending as one, in Hangul, no path, no identifier, no 은(는)-style hedge.
                #expect(ko.hasSuffix("다."), "\(path) \(reason): \(ko)")
                #expect(ko.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) }, "not Korean: \(ko)")
                #expect(!Self.looksLikeCode(ko), "Korean names a path or variable: \(ko)")
                for hedge in ["은(는)", "이(가)", "을(를)", "(이)", "(으)"] { #expect(!ko.contains(hedge), "\(ko)") }
                Self.expectParticles(ko, label: FieldLabels.label(path).korean)
                // The path stays in `field`, for the page.
                #expect(error.field == (path.isEmpty ? nil : path))
            }
        }
        #expect(checked == Self.paths.count * Self.reasons.count)
    }

    /// A particle right after the field's label agrees with the label's last sound.
    static func expectParticles(_ ko: String, label: String) {
        guard ko.hasPrefix(label) else { return }
        let rest = ko.dropFirst(label.count)
        let batchim = finalConsonant(label)
        let pairs: [(withConsonant: String, withVowel: String)] = [("은 ", "는 "), ("이 ", "가 "), ("을 ", "를 ")]
        for pair in pairs where rest.hasPrefix(pair.withConsonant) || rest.hasPrefix(pair.withVowel) {
            let expected = batchim ? pair.withConsonant : pair.withVowel
            #expect(rest.hasPrefix(expected), "wrong particle after \(label): \(ko)")
        }
        if rest.hasPrefix(" ") { return }
        #expect(rest.hasPrefix("은") || rest.hasPrefix("는") || rest.hasPrefix("이") || rest.hasPrefix("가"),
                "no particle after \(label): \(ko)")
    }

    /// Whether a label ends in a consonant sound, worked out here from Unicode's Hangul syllable
    /// arithmetic (and the few Latin endings the labels have), independently of `Korean`.
    static func finalConsonant(_ word: String) -> Bool {
        guard let last = word.unicodeScalars.last else { return false }
        if (0xAC00...0xD7A3).contains(last.value) { return (last.value - 0xAC00) % 28 != 0 }
        switch last {
        case "L", "M", "N", "l", "m", "n", "0", "1", "3", "6", "7", "8": return true
        default: return false
        }
    }

    /// A field path (`education[0].end`), a camelCase or snake_case name, or a JSON-ish token.
    static func looksLikeCode(_ s: String) -> Bool {
        // Addresses and months the messages quote on purpose are not code.
        var text = s
        for allowed in ["name@example.com", "http://", "https://", "2024.03"] { text = text.replacingOccurrences(of: allowed, with: "") }
        return text.range(of: #"\[[0-9]*\]|[a-z][A-Z]|_[a-z]|[A-Za-z]\.[A-Za-z]|[{}"=]"#, options: .regularExpression) != nil
    }

    @Test func knownPathsHaveLabelsNotTheFallback() {
        for path in Self.paths where !["unknownThing", "plan", ""].contains(path) {
            let label = FieldLabels.label(path)
            #expect(!label.english.contains("this field") && !label.korean.contains("이 항목은"), "\(path) has no label of its own")
        }
    }

    @Test(arguments: [("학력 1번째 항목의 종료 시기", "는"), ("이메일", "은"), ("주소", "는"), ("URL", "은"), ("저장소 목록", "은"),
                      ("Docker", "는"), ("3", "은"), ("2", "는"), ("Spring", "은"), ("Kotlin", "은")])
    func particlesFollowTheLastSound(word: String, topic: String) {
        #expect(Korean.topic(word) == topic)
    }
}
