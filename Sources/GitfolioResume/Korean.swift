/// Korean particles chosen by the final sound of the word before them (받침).
enum Korean {
    /// Whether the word, read aloud in Korean, ends in a consonant (받침).
    static func hasFinalConsonant(_ word: String) -> Bool {
        guard let last = word.trimmingCharacters(in: .whitespaces).unicodeScalars.last else { return false }
        if (0xAC00...0xD7A3).contains(last.value) { return (last.value - 0xAC00) % 28 != 0 }
        if let digit = Int(String(last)) { return [0, 1, 3, 6, 7, 8].contains(digit) }  // 영 일 삼 육 칠 팔
        let lower = word.lowercased()
        // Loanwords: a final l, m, n (and -ng) keep a consonant; others take a vowel (스, 트, 크…).
        return lower.hasSuffix("l") || lower.hasSuffix("m") || lower.hasSuffix("n") || lower.hasSuffix("ng")
    }

    /// `(으)로`: 로 after a vowel or ㄹ, 으로 after other consonants.
    static func ro(_ word: String) -> String {
        let lower = word.lowercased()
        let last = word.unicodeScalars.last
        // ㄹ: a Hangul syllable ending in ㄹ, a final l, or a digit read 일, 칠, 팔.
        let endsInRieul = lower.hasSuffix("l") || ["1", "7", "8"].contains(last.map(String.init) ?? "")
            || (last.map { (0xAC00...0xD7A3).contains($0.value) && ($0.value - 0xAC00) % 28 == 8 } ?? false)
        return word + (hasFinalConsonant(word) && !endsInRieul ? "으로" : "로")
    }
}
