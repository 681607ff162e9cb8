/// `::progress N` with N in 0...100; anything else is ordinary output.
enum ProgressLine {
    static func parse(_ bytes: [UInt8]) -> Int? {
        let prefix = Array("::progress ".utf8)
        guard bytes.count > prefix.count, bytes.count <= prefix.count + 8,
              bytes.starts(with: prefix) else { return nil }
        var digits = bytes[prefix.count...]
        while digits.last == 0x20 { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return value <= 100 ? value : nil
    }
}
