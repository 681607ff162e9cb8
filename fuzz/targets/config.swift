// libFuzzer entry point for the configuration parser (Sources/BatchCore/Config: the line
// syntax, the loader and the builder with every section's checks), compiled by fuzz/run.sh
// together with all of Sources/BatchCore. Inputs that name an include are skipped: the
// fuzzer must not read files of this machine.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if text.lowercased().contains("include") { return 0 }
    do {
        let config = try Configuration.parse(text: text, file: "/nonexistent/fuzz.conf")
        _ = config.workerJobTypes
    } catch {
        check(!error.description.isEmpty, "a configuration error with no message")
    }
    return 0
}
