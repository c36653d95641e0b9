import FuzzTargets

#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's entry point: the target is named by `GITFOLIO_FUZZ_TARGET` (scripts/fuzz.sh sets it).
let target: String = {
    guard let name = getenv("GITFOLIO_FUZZ_TARGET").map({ String(cString: $0) }), FuzzTargets.names.contains(name) else {
        fatalError("set GITFOLIO_FUZZ_TARGET to one of \(FuzzTargets.names)")
    }
    return name
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTargets.run(target, bytes)
    return 0
}
