import CPangoCairo
import Foundation

/// The fonts the PDF renderer uses: exactly the files of the typefaces the templates name
/// (``Theme/allTypefaces``), through a fontconfig configuration of its own, instead of the system's
/// configuration, which reads some fifty configuration files and matches every request against
/// every installed font. The configuration reads fontconfig's caches of the folders those files are
/// in (written by Debian's font packages, so no font file is opened to learn what it covers) and
/// accepts only the named files.
///
/// It is made once per process and made fontconfig's current configuration before Pango starts:
/// Pango otherwise initialises the system configuration on a thread of its own.
public enum FontLibrary {
    /// The configuration, or nil when fontconfig refused it (the system's is then used).
    nonisolated(unsafe) static let configuration: OpaquePointer? = make(Theme.allTypefaces)

    /// The files the templates name that are not on this machine (`scripts/deps.sh` installs them).
    public static var missingFiles: [String] {
        Theme.allTypefaces.flatMap(\.files).filter { !FileManager.default.fileExists(atPath: $0) }
    }

    /// The configuration file's text for these typefaces' files.
    public static func xml(_ typefaces: [Typeface]) -> String {
        let files = typefaces.flatMap(\.files).filter { FileManager.default.fileExists(atPath: $0) }
        var folders: [String] = []
        for file in files {
            let folder = (file as NSString).deletingLastPathComponent
            if !folders.contains(folder) { folders.append(folder) }
        }
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var out = "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n<fontconfig>\n"
        for folder in folders { out += "  <dir>\(escape(folder))</dir>\n" }
        out += "  <cachedir>/var/cache/fontconfig</cachedir>\n  <cachedir prefix=\"xdg\">fontconfig</cachedir>\n"
        out += "  <selectfont>\n    <acceptfont>\n"
        for file in files { out += "      <glob>\(escape(file))</glob>\n" }
        out += "    </acceptfont>\n    <rejectfont><glob>*</glob></rejectfont>\n  </selectfont>\n</fontconfig>\n"
        return out
    }

    static func make(_ typefaces: [Typeface]) -> OpaquePointer? {
        guard let config = FcConfigCreate() else { return nil }
        guard FcConfigParseAndLoadFromMemory(config, xml(typefaces), FcTrue) != 0, FcConfigBuildFonts(config) != 0,
              FcConfigSetCurrent(config) != 0
        else {
            FcConfigDestroy(config)
            return nil
        }
        return config
    }

    /// The files of the fonts the configuration holds, for checking that nothing else is loaded.
    public static var loadedFiles: [String] {
        guard let config = configuration, let set = FcConfigGetFonts(config, FcSetSystem) else { return [] }
        var files: [String] = []
        for i in 0..<Int(set.pointee.nfont) {
            var file: UnsafeMutablePointer<FcChar8>?
            if FcPatternGetString(set.pointee.fonts[i], FC_FILE, 0, &file) == FcResultMatch, let file {
                files.append(String(cString: file))
            }
        }
        return files
    }
}
