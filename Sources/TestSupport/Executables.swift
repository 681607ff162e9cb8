import Glibc

/// Finds a program in `PATH`, then in /usr/bin, /usr/sbin, /usr/local/bin.
public func findExecutable(_ name: String) -> String? {
    if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
    var dirs = (getenv("PATH").map { String(cString: $0) } ?? "").split(separator: ":").map(String.init)
    dirs += ["/usr/bin", "/usr/sbin", "/usr/local/bin"]
    for dir in dirs where !dir.isEmpty {
        let path = dir + "/" + name
        if access(path, X_OK) == 0 { return path }
    }
    return nil
}

/// A fresh private directory under $TMPDIR (or /tmp).
public func makeTemporaryDirectory(_ prefix: String) throws -> String {
    let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw TestSupportError("cannot create a temporary directory under \(base): errno \(errno)")
    }
    return String(cString: made)
}

/// Removes a directory tree created by a test fixture.
public func removeTree(_ path: String) {
    guard let dir = opendir(path) else {
        unlink(path)
        return
    }
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name == "." || name == ".." { continue }
        let child = path + "/" + name
        var st = stat()
        if lstat(child, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            removeTree(child)
        } else {
            unlink(child)
        }
    }
    closedir(dir)
    rmdir(path)
}
