import ArgumentParser
import Foundation
import GitfolioCore
import GitfolioRender
import GitfolioResume

#if canImport(Glibc)
import Glibc
#endif

/// `gitfolio bench render`: the PDF of the two-page Korean sample, warm inside this process and as
/// whole `gitfolio render` runs, side by side in the same run with WeasyPrint rendering the same
/// resume's HTML (warm in one Python process, and as whole `weasyprint` runs).
struct RenderBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render", abstract: "PDF and thumbnail render times against WeasyPrint on the same resume.")
    @Option(help: "Warm renders in this process.") var warm = 200
    @Option(help: "Whole-command runs of gitfolio and of weasyprint.") var runs = 5
    @Option(help: "Warm renders inside one WeasyPrint (Python) process.") var weasyWarm = 5
    @Flag(help: "Skip the WeasyPrint reference (for profiling this renderer alone).") var noReference = false
    @Flag(help: "Only the warm PDFs, nothing else (for profiling the PDF writer).") var pdfOnly = false

    func run() throws {
        let resume = Resume.sample(.ko, template: .gitfolio)
        let renderer = PDFRenderer()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("gitfolio-render-bench-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let html = work.appendingPathComponent("resume.html"), json = work.appendingPathComponent("resume.json")
        try Data(HTMLRenderer.document(resume).utf8).write(to: html)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(resume).write(to: json)

        let first = Spawn.now()
        let pdf = renderer.pdf(resume)
        let cold = Spawn.now() - first
        print("Render benchmark: the two-page Korean sample resume (GITFOLIO template), \(renderer.pageCount(resume)) pages, PDF \(pdf.count / 1024) KiB")
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; PDF streams by \(PDFRenderer.deflateLibrary) at level \(PDFRenderer.deflateLevel)")
        print(String(format: "first render in this process (fonts load)   %8.2f ms", cold))

        var pdfTimes: [Double] = [], thumbTimes: [Double] = []
        for _ in 0..<warm {
            let t0 = Spawn.now()
            _ = renderer.pdf(resume)
            pdfTimes.append(Spawn.now() - t0)
            if pdfOnly { continue }
            let t1 = Spawn.now()
            _ = renderer.thumbnail(resume)
            thumbTimes.append(Spawn.now() - t1)
        }
        print(Self.line("warm PDF, in process                       ", pdfTimes))
        if pdfOnly { return }
        var layoutTimes: [Double] = []
        for _ in 0..<warm {
            let t0 = Spawn.now()
            _ = renderer.pagination(resume)
            layoutTimes.append(Spawn.now() - t0)
        }
        print(Self.line("warm layout and pagination only, in process", layoutTimes))
        print(Self.line("warm thumbnail PNG (420 px), in process    ", thumbTimes))

        // Whole commands: this executable rendering the JSON to a PDF, and weasyprint the HTML.
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let env = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        var gitfolioRuns: [Double] = []
        for i in 0..<(runs + 1) {
            let (_, t) = try Spawn.run(me, arguments: ["render", json.path, "--out", work.appendingPathComponent("g.pdf").path],
                                       environment: env, input: Data())
            if i > 0 { gitfolioRuns.append(t) }
        }
        print(Self.line("whole `gitfolio render x.json --out x.pdf` ", gitfolioRuns))
        // And the one-step command on the current folder's git clone, when it is one: analysis with
        // git, the offline writer, grounding and the PDF (a different resume: this repository's).
        var resumeTimes: [Double] = [], coldTimes: [Double] = [], analysedTimes: [Double] = []
        let cwd = FileManager.default.currentDirectoryPath
        if FileManager.default.fileExists(atPath: cwd + "/.git"),
           let (emailData, _) = try? Spawn.run("/usr/bin/git", arguments: ["-C", cwd, "log", "-1", "--format=%ae"], environment: env, input: Data()),
           case let email = String(decoding: emailData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), !email.isEmpty {
            let out = work.appendingPathComponent("r.pdf")
            var resumeRuns: [Double] = []
            defer { resumeTimes = resumeRuns }
            for i in 0..<(runs + 1) {
                try? FileManager.default.removeItem(at: out)
                let (_, t) = try Spawn.run(me, arguments: ["resume", "--repo", cwd, "--author", email, "--template", "GITFOLIO", "--out", out.path],
                                           environment: env, input: Data())
                guard FileManager.default.fileExists(atPath: out.path) else {
                    print("`gitfolio resume --repo .` wrote no PDF here: not timed.")
                    break
                }
                if i > 0 { resumeRuns.append(t) }
            }
            if !resumeRuns.isEmpty { print(Self.line("whole `gitfolio resume --repo . --out x.pdf`", resumeRuns)) }
            // The runs above find the line counts the first, untimed run kept (in the cache folder);
            // these start with an empty one each, so every commit is diffed again.
            var coldRuns: [Double] = []
            defer { coldTimes = coldRuns }
            for i in 0..<(resumeRuns.isEmpty ? 0 : runs) {
                let cache = work.appendingPathComponent("cache-\(i)")
                let (_, t) = try Spawn.run(me, arguments: ["resume", "--repo", cwd, "--author", email, "--template", "GITFOLIO", "--out", out.path],
                                           environment: env.filter { !$0.hasPrefix("XDG_CACHE_HOME=") } + ["XDG_CACHE_HOME=\(cache.path)"], input: Data())
                coldRuns.append(t)
            }
            if !coldRuns.isEmpty { print(Self.line("  the same, no line counts kept (cold)     ", coldRuns)) }
            // The kept evidence not used (as for a changed clone, analysed again), the line counts kept.
            var analysedRuns: [Double] = []
            defer { analysedTimes = analysedRuns }
            for _ in 0..<(resumeRuns.isEmpty ? 0 : runs) {
                let (_, t) = try Spawn.run(me, arguments: ["resume", "--repo", cwd, "--author", email, "--template", "GITFOLIO", "--out", out.path],
                                           environment: env.filter { !$0.hasPrefix("GITFOLIO_KEEP_EVIDENCE=") } + ["GITFOLIO_KEEP_EVIDENCE=0"], input: Data())
                analysedRuns.append(t)
            }
            if !analysedRuns.isEmpty { print(Self.line("  analysed again, line counts kept         ", analysedRuns)) }
        }

        if noReference { return }
        guard let weasyprint = ["/usr/bin/weasyprint", "/usr/local/bin/weasyprint"].first(where: FileManager.default.isExecutableFile) else {
            print("WeasyPrint is not installed (scripts/deps.sh --bench installs it): no comparison.")
            return
        }
        var weasyRuns: [Double] = []
        for i in 0..<(runs + 1) {
            let (_, t) = try Spawn.run(weasyprint, arguments: [html.path, work.appendingPathComponent("w.pdf").path], environment: env, input: Data())
            if i > 0 { weasyRuns.append(t) }
        }
        print(Self.line("whole `weasyprint x.html x.pdf`            ", weasyRuns))

        // WeasyPrint warm: one Python process, the module and fonts loaded, timing each render.
        let script = """
        import sys, time, weasyprint
        html = open(sys.argv[1], encoding="utf-8").read()
        weasyprint.HTML(string=html).write_pdf()
        for _ in range(int(sys.argv[2])):
            t = time.perf_counter(); weasyprint.HTML(string=html).write_pdf(); print((time.perf_counter() - t) * 1000)
        """
        let (out, _) = try Spawn.run("/usr/bin/python3", arguments: ["-c", script, html.path, String(weasyWarm)], environment: env, input: Data())
        let weasyWarmTimes = String(decoding: out, as: UTF8.self).split(separator: "\n").compactMap { Double($0) }
        guard !weasyWarmTimes.isEmpty else {
            print("WeasyPrint's Python module did not run: no warm comparison.")
            return
        }
        print(Self.line("warm WeasyPrint, in one Python process     ", weasyWarmTimes))
        let median = { (t: [Double]) in t.isEmpty ? .nan : t.sorted()[t.count / 2] }
        print(String(format: "speed-up, warm:          %6.1fx  (target at least 30x; warm PDF target at most 10 ms, thumbnail under 20 ms)",
                     median(weasyWarmTimes) / median(pdfTimes)))
        print(String(format: "speed-up, whole command: %6.1fx  (`gitfolio render`; target at least 15x)", median(weasyRuns) / median(gitfolioRuns)))
        if !resumeTimes.isEmpty {
            print(String(format: "speed-up, whole command: %6.1fx  (`gitfolio resume --repo .`, this clone's resume; target at least 15x)",
                         median(weasyRuns) / median(resumeTimes)))
        }
        if !analysedTimes.isEmpty {
            print(String(format: "speed-up, whole command: %6.1fx  (the same analysed again, line counts kept)", median(weasyRuns) / median(analysedTimes)))
        }
        if !coldTimes.isEmpty {
            print(String(format: "speed-up, whole command: %6.1fx  (the same with no line counts kept)", median(weasyRuns) / median(coldTimes)))
        }
    }

    static func line(_ name: String, _ t: [Double]) -> String {
        let s = t.sorted()
        guard !s.isEmpty else { return name + " (not run)" }
        let p = { (q: Double) in s[min(s.count - 1, Int(Double(s.count) * q))] }
        return String(format: "%@ min %8.2f ms   p50 %8.2f ms   p99 %8.2f ms   (n=%d)", name, s[0], p(0.5), p(0.99), s.count)
    }
}
