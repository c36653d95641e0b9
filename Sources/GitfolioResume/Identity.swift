import GitfolioCore
import GitfolioEvidence

extension Resume {
    /// Whether an email address reaches nobody (GitHub's `users.noreply.github.com` and the like):
    /// such an address is never shown as contact.
    public static func isNoreply(_ email: String) -> Bool { NoreplyAddress.matches(email) }

    /// The name and contact at the top of a resume: the profile's (My page) where it has them, else
    /// the name the member commits under; a noreply address is dropped.
    public static func resumeProfile(_ profile: Profile, evidence: [RepositoryEvidence]) -> Profile {
        var p = profile
        if p.name.trimmingCharacters(in: .whitespaces).isEmpty {
            var counts: [String: Int] = [:]
            for repo in evidence {
                if let name = repo.contribution.authorName?.trimmingCharacters(in: .whitespaces), !name.isEmpty {
                    counts[name, default: 0] += max(1, repo.contribution.commits)
                }
            }
            if let best = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) })?.key { p.name = String(best.prefix(50)) }
        }
        if isNoreply(p.email) { p.email = "" }
        return p
    }
}
