import Foundation

/// Every technology name the analyser can report, for checking that writers name only those found.
public enum Vocabulary {
    /// The known technology a GitHub topic names (`spring-boot` → Spring Boot), if any.
    public static func technology(forTopic topic: String) -> (name: String, category: Technology.Category)? {
        func normal(_ s: String) -> String { s.lowercased().filter { $0.isLetter || $0.isNumber } }
        let key = normal(topic)
        let all = Array(Manifests.known.values) + Manifests.jvm.map(\.1) + Manifests.images.map(\.1)
            + [("Docker", .infrastructure), ("Kubernetes", .infrastructure), ("GitHub Actions", .ci), ("Terraform", .infrastructure)]
        return all.first { normal($0.name) == key }
    }

    public static var technologyNames: Set<String> {
        Set(Manifests.known.values.map(\.name) + Manifests.jvm.map(\.1.name) + Manifests.images.map(\.1.name)
            + ["Node.js", "Docker", "Docker Compose", "GitHub Actions", "GitLab CI", "Jenkins", "Kubernetes", "Terraform",
               "Gradle", "Maven"]
            + Languages.byExtension.values)
    }
}

/// Frameworks, libraries and tools detected from dependency manifests and configuration files.
public enum Manifests {
    typealias Known = (name: String, category: Technology.Category)

    /// Package names (lower case, as they appear in manifests) of technologies worth naming.
    static let known: [String: Known] = [
        // JavaScript / TypeScript
        "react": ("React", .framework), "next": ("Next.js", .framework), "vue": ("Vue.js", .framework),
        "nuxt": ("Nuxt", .framework), "svelte": ("Svelte", .framework), "@angular/core": ("Angular", .framework),
        "express": ("Express", .framework), "@nestjs/core": ("NestJS", .framework), "fastify": ("Fastify", .framework),
        "koa": ("Koa", .framework), "redux": ("Redux", .library), "@reduxjs/toolkit": ("Redux", .library),
        "zustand": ("Zustand", .library), "recoil": ("Recoil", .library), "@tanstack/react-query": ("React Query", .library),
        "axios": ("Axios", .library), "typescript": ("TypeScript", .tool), "webpack": ("webpack", .tool),
        "vite": ("Vite", .tool), "jest": ("Jest", .tool), "vitest": ("Vitest", .tool), "tailwindcss": ("Tailwind CSS", .library),
        "styled-components": ("styled-components", .library), "prisma": ("Prisma", .library), "@prisma/client": ("Prisma", .library),
        "typeorm": ("TypeORM", .library), "sequelize": ("Sequelize", .library), "mongoose": ("Mongoose", .library),
        "socket.io": ("Socket.IO", .library), "graphql": ("GraphQL", .library), "electron": ("Electron", .framework),
        "react-native": ("React Native", .framework), "three": ("three.js", .library),
        // Python
        "django": ("Django", .framework), "flask": ("Flask", .framework), "fastapi": ("FastAPI", .framework),
        "sqlalchemy": ("SQLAlchemy", .library), "celery": ("Celery", .library), "pandas": ("pandas", .library),
        "numpy": ("NumPy", .library), "scikit-learn": ("scikit-learn", .library), "torch": ("PyTorch", .framework),
        "tensorflow": ("TensorFlow", .framework), "transformers": ("Hugging Face Transformers", .library),
        "langchain": ("LangChain", .library), "pytest": ("pytest", .tool), "pydantic": ("Pydantic", .library),
        "opencv-python": ("OpenCV", .library), "keras": ("Keras", .framework),
        // Go
        "github.com/gin-gonic/gin": ("Gin", .framework), "github.com/labstack/echo/v4": ("Echo", .framework),
        "github.com/gofiber/fiber/v2": ("Fiber", .framework), "gorm.io/gorm": ("GORM", .library),
        "google.golang.org/grpc": ("gRPC", .library), "github.com/spf13/cobra": ("Cobra", .library),
        // Rust
        "tokio": ("Tokio", .library), "actix-web": ("Actix Web", .framework), "axum": ("Axum", .framework),
        "serde": ("Serde", .library), "diesel": ("Diesel", .library), "sqlx": ("SQLx", .library), "bevy": ("Bevy", .framework),
        // Swift
        "vapor": ("Vapor", .framework), "hummingbird": ("Hummingbird", .framework), "grdb.swift": ("GRDB", .library),
        "swift-nio": ("SwiftNIO", .library), "alamofire": ("Alamofire", .library),
        // Ruby, PHP
        "rails": ("Ruby on Rails", .framework), "sinatra": ("Sinatra", .framework), "rspec": ("RSpec", .tool),
        "laravel/framework": ("Laravel", .framework), "symfony/framework-bundle": ("Symfony", .framework),
    ]

    /// Substrings of JVM build files (Gradle, Maven) and what they mean.
    static let jvm: [(String, Known)] = [
        ("org.springframework.boot", ("Spring Boot", .framework)), ("spring-boot-starter-data-jpa", ("Spring Data JPA", .library)),
        ("spring-boot-starter-security", ("Spring Security", .library)), ("querydsl", ("Querydsl", .library)),
        ("org.hibernate", ("Hibernate", .library)), ("mybatis", ("MyBatis", .library)), ("junit", ("JUnit", .tool)),
        ("io.ktor", ("Ktor", .framework)), ("mysql-connector", ("MySQL", .database)), ("com.mysql", ("MySQL", .database)),
        ("postgresql", ("PostgreSQL", .database)), ("h2database", ("H2", .database)), ("spring-kafka", ("Kafka", .infrastructure)),
        ("spring-boot-starter-data-redis", ("Redis", .database)), ("lombok", ("Lombok", .library)),
    ]

    /// Images in compose files and what they are.
    static let images: [(String, Known)] = [
        ("postgres", ("PostgreSQL", .database)), ("mysql", ("MySQL", .database)), ("mariadb", ("MariaDB", .database)),
        ("redis", ("Redis", .database)), ("mongo", ("MongoDB", .database)), ("elasticsearch", ("Elasticsearch", .database)),
        ("kafka", ("Kafka", .infrastructure)), ("rabbitmq", ("RabbitMQ", .infrastructure)), ("nginx", ("nginx", .infrastructure)),
    ]

    /// Technologies found in one tracked file (`path` relative to the repository, `text` its content).
    static func detect(path: String, text: String) -> [Known] {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let lower = name.lowercased()
        switch lower {
        case "package.json":
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [] }
            // Sorted: a JSON object's keys come back in no stable order, and output must be deterministic.
            let deps = ["dependencies", "devDependencies", "peerDependencies"].flatMap { (object[$0] as? [String: Any])?.keys.sorted() ?? [] }
            return matches(deps) + [("Node.js", .framework)]
        case "requirements.txt":
            return matches(text.split(separator: "\n").map { line in
                String(line.prefix { !"<>=!~;[ #".contains($0) }).trimmingCharacters(in: .whitespaces)
            })
        case "pyproject.toml", "cargo.toml", "gemfile":
            // Quoted names and `name =` keys; only known names are kept, so stray strings do no harm.
            return matches(quotedOrKeys(text))
        case "go.mod":
            return matches(text.split(separator: "\n").compactMap { line in
                line.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init)
            } + text.split(separator: "\n").compactMap { line in
                let t = line.trimmingCharacters(in: .whitespaces)
                return t.hasPrefix("require ") ? t.split(separator: " ").dropFirst().first.map(String.init) : nil
            })
        case "package.swift":
            return matches(text.components(separatedBy: "github.com/").dropFirst().compactMap { rest in
                rest.split(separator: "/").dropFirst().first.map { String($0.prefix { $0 != "\"" }).replacingOccurrences(of: ".git", with: "") }
            })
        case "build.gradle", "build.gradle.kts", "pom.xml":
            return jvm.filter { text.contains($0.0) }.map(\.1) + [("Gradle", .tool)].filter { _ in lower.hasPrefix("build.gradle") }
                + [("Maven", .tool)].filter { _ in lower == "pom.xml" }
        case "composer.json":
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [] }
            return matches(((object["require"] as? [String: Any])?.keys.sorted() ?? []))
        default:
            break
        }
        if lower == "dockerfile" || lower.hasPrefix("dockerfile.") || lower.hasSuffix(".dockerfile") {
            return [("Docker", .infrastructure)]
        }
        if (lower.hasPrefix("docker-compose") || lower.hasPrefix("compose")) && (lower.hasSuffix(".yml") || lower.hasSuffix(".yaml")) {
            let imageLines = text.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("image:") }
            let found = images.filter { image in imageLines.contains { $0.lowercased().contains(image.0) } }.map(\.1)
            return [("Docker Compose", .infrastructure)] + found
        }
        if path.hasPrefix(".github/workflows/") && (lower.hasSuffix(".yml") || lower.hasSuffix(".yaml")) {
            return [("GitHub Actions", .ci)]
        }
        if lower == ".gitlab-ci.yml" { return [("GitLab CI", .ci)] }
        if lower == "jenkinsfile" { return [("Jenkins", .ci)] }
        if (lower.hasSuffix(".yml") || lower.hasSuffix(".yaml")), text.contains("apiVersion:"),
           text.range(of: #"(?m)^kind:\s*(Deployment|Service|StatefulSet|Ingress|Pod|CronJob|ConfigMap)"#, options: .regularExpression) != nil {
            return [("Kubernetes", .infrastructure)]
        }
        if lower.hasSuffix(".tf") { return [("Terraform", .infrastructure)] }
        return []
    }

    /// Whether a tracked file is worth reading for detection.
    static func isManifest(_ path: String) -> Bool {
        let lower = (path.split(separator: "/").last.map(String.init) ?? path).lowercased()
        if ["package.json", "requirements.txt", "pyproject.toml", "go.mod", "cargo.toml", "package.swift", "build.gradle",
            "build.gradle.kts", "pom.xml", "gemfile", "composer.json", ".gitlab-ci.yml", "jenkinsfile"].contains(lower) { return true }
        if lower == "dockerfile" || lower.hasPrefix("dockerfile.") || lower.hasSuffix(".dockerfile") || lower.hasSuffix(".tf") { return true }
        return lower.hasSuffix(".yml") || lower.hasSuffix(".yaml")
    }

    /// A manifest worth fetching from a repository's root (GitHub: no YAML guessing there).
    public static func isRootManifest(_ path: String) -> Bool {
        let lower = path.lowercased()
        return !path.contains("/") && isManifest(path) && !(lower.hasSuffix(".yml") || lower.hasSuffix(".yaml"))
            || lower.hasPrefix("docker-compose") || lower.hasPrefix("compose.")
    }

    static func matches(_ names: [String]) -> [Known] {
        names.compactMap { known[$0.lowercased()] }
    }

    static func quotedOrKeys(_ text: String) -> [String] {
        var names: [String] = []
        for line in text.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if let eq = t.firstIndex(of: "="), !t.hasPrefix("[") {
                names.append(t[..<eq].trimmingCharacters(in: .whitespaces))
            }
            for part in t.split(separator: "\"").enumerated() where part.offset % 2 == 1 {
                names.append(String(part.element.prefix { !"<>=!~;[ ".contains($0) }))
            }
            if t.hasPrefix("gem ") || t.hasPrefix("gem\t") {
                names.append(t.split(whereSeparator: { "'\" ,".contains($0) }).dropFirst().first.map(String.init) ?? "")
            }
        }
        return names
    }
}
