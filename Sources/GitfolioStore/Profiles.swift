import Foundation
import GRDB
import GitfolioCore

extension AppDatabase {
    public func profile(memberID: Int64) throws -> Profile? {
        try read { db in try Self.profile(db, memberID: memberID) }
    }

    /// Replaces the whole profile in one transaction: a failure leaves the old one untouched.
    public func replaceProfile(memberID: Int64, with profile: Profile, now: Date) throws -> Profile {
        try writer.write { db in
            try db.execute(sql: """
                UPDATE member SET name = ?, email = ?, phone = ?, avatar_url = ?, job_role = ?, updated_at = ?
                WHERE id = ?
                """, arguments: [profile.name, profile.email, profile.phone, profile.avatarURL,
                                 profile.jobRole?.rawValue, Self.epoch(now), memberID])
            guard db.changesCount == 1 else { throw APIError.notFound("member_not_found", "This account no longer exists.") }
            for table in ["education", "work_experience", "certificate", "link"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE member_id = ?", arguments: [memberID])
            }
            for (i, e) in profile.education.enumerated() {
                try db.execute(sql: """
                    INSERT INTO education (member_id, position, school_type, school_name, major, status, start_month, end_month)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [memberID, i, e.schoolType.rawValue, e.schoolName, e.major, e.status.rawValue, e.start, e.end])
            }
            for (i, w) in profile.workExperience.enumerated() {
                try db.execute(sql: """
                    INSERT INTO work_experience (member_id, position, company, title, work_type, employment, start_month,
                        end_month, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [memberID, i, w.company, w.title, w.workType.rawValue, w.employment.rawValue,
                                     w.start, w.end, w.description])
            }
            for (i, c) in profile.certificates.enumerated() {
                try db.execute(
                    sql: "INSERT INTO certificate (member_id, position, name, issuer, acquired_month) VALUES (?, ?, ?, ?, ?)",
                    arguments: [memberID, i, c.name, c.issuer, c.acquired])
            }
            for (i, l) in profile.links.enumerated() {
                try db.execute(sql: "INSERT INTO link (member_id, position, title, url) VALUES (?, ?, ?, ?)",
                               arguments: [memberID, i, l.title, l.url])
            }
            return try Self.profile(db, memberID: memberID)!
        }
    }

    /// Reads through cached statements, so a warm function process compiles each query once (with
    /// `AppDatabase.read`, which keeps them from being expired between reads).
    static func profile(_ db: Database, memberID: Int64) throws -> Profile? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM member WHERE id = ?"), arguments: [memberID]) else {
            return nil
        }
        var profile = Profile(
            name: row["name"], email: row["email"], phone: row["phone"], avatarURL: row["avatar_url"],
            jobRole: (row["job_role"] as String?).flatMap(JobRole.init(rawValue:)))
        profile.education = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM education WHERE member_id = ? ORDER BY position"), arguments: [memberID]
        ).map {
            Education(schoolType: SchoolType(rawValue: $0["school_type"])!, schoolName: $0["school_name"], major: $0["major"],
                      status: GraduationStatus(rawValue: $0["status"])!, start: $0["start_month"], end: $0["end_month"])
        }
        profile.workExperience = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM work_experience WHERE member_id = ? ORDER BY position"), arguments: [memberID]
        ).map {
            WorkExperience(company: $0["company"], title: $0["title"], workType: WorkType(rawValue: $0["work_type"])!,
                           employment: EmploymentStatus(rawValue: $0["employment"])!, start: $0["start_month"],
                           end: $0["end_month"], description: $0["description"])
        }
        profile.certificates = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM certificate WHERE member_id = ? ORDER BY position"), arguments: [memberID]
        ).map { Certificate(name: $0["name"], issuer: $0["issuer"], acquired: $0["acquired_month"]) }
        profile.links = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM link WHERE member_id = ? ORDER BY position"), arguments: [memberID]
        ).map { ProfileLink(title: $0["title"], url: $0["url"]) }
        return profile
    }
}
