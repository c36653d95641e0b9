import Foundation
import GitfolioCore
import StoreCore

extension AppDatabase {
    public func profile(memberID: Int64) throws -> Profile? {
        try read { db in try Self.profile(db, memberID: memberID) }
    }

    /// Replaces the whole profile in one transaction: a failure leaves the old one untouched.
    public func replaceProfile(memberID: Int64, with profile: Profile, now: Date) throws -> Profile {
        try write { db in
            try db.execute("""
                UPDATE member SET name = ?, email = ?, phone = ?, avatar_url = ?, job_role = ?, updated_at = ?
                WHERE id = ?
                """, [profile.name, profile.email, profile.phone, profile.avatarURL, profile.jobRole?.rawValue, Self.epoch(now), memberID])
            guard db.changes == 1 else { throw StoreError.memberGone }
            for table in ["education", "work_experience", "certificate", "link"] {
                try db.execute("DELETE FROM \(table) WHERE member_id = ?", [memberID])
            }
            for (i, e) in profile.education.enumerated() {
                try db.execute("""
                    INSERT INTO education (member_id, position, school_type, school_name, major, status, start_month, end_month)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, [memberID, i, e.schoolType.rawValue, e.schoolName, e.major, e.status.rawValue, e.start, e.end])
            }
            for (i, w) in profile.workExperience.enumerated() {
                try db.execute("""
                    INSERT INTO work_experience (member_id, position, company, title, work_type, employment, start_month,
                        end_month, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [memberID, i, w.company, w.title, w.workType.rawValue, w.employment.rawValue, w.start, w.end, w.description])
            }
            for (i, c) in profile.certificates.enumerated() {
                try db.execute("INSERT INTO certificate (member_id, position, name, issuer, acquired_month) VALUES (?, ?, ?, ?, ?)",
                               [memberID, i, c.name, c.issuer, c.acquired])
            }
            for (i, l) in profile.links.enumerated() {
                try db.execute("INSERT INTO link (member_id, position, title, url) VALUES (?, ?, ?, ?)", [memberID, i, l.title, l.url])
            }
            return try Self.profile(db, memberID: memberID)!
        }
    }

    static func profile(_ db: SQLiteConnection, memberID: Int64) throws -> Profile? {
        guard let row = try db.one("SELECT * FROM member WHERE id = ?", [memberID]) else { return nil }
        var profile = Profile(name: row.text("name"), email: row.text("email"), phone: row.text("phone"),
                              avatarURL: row.text("avatar_url"), jobRole: row.optionalText("job_role").flatMap(JobRole.init(rawValue:)))
        profile.education = try db.rows("SELECT * FROM education WHERE member_id = ? ORDER BY position", [memberID]).map {
            Education(schoolType: SchoolType(rawValue: $0.text("school_type")) ?? .bachelor, schoolName: $0.text("school_name"),
                      major: $0.text("major"), status: GraduationStatus(rawValue: $0.text("status")) ?? .graduated,
                      start: $0.optionalText("start_month"), end: $0.optionalText("end_month"))
        }
        profile.workExperience = try db.rows("SELECT * FROM work_experience WHERE member_id = ? ORDER BY position", [memberID]).map {
            WorkExperience(company: $0.text("company"), title: $0.text("title"),
                           workType: WorkType(rawValue: $0.text("work_type")) ?? .fullTime,
                           employment: EmploymentStatus(rawValue: $0.text("employment")) ?? .resigned,
                           start: $0.optionalText("start_month"), end: $0.optionalText("end_month"), description: $0.text("description"))
        }
        profile.certificates = try db.rows("SELECT * FROM certificate WHERE member_id = ? ORDER BY position", [memberID]).map {
            Certificate(name: $0.text("name"), issuer: $0.text("issuer"), acquired: $0.optionalText("acquired_month"))
        }
        profile.links = try db.rows("SELECT * FROM link WHERE member_id = ? ORDER BY position", [memberID]).map {
            ProfileLink(title: $0.text("title"), url: $0.text("url"))
        }
        return profile
    }
}
