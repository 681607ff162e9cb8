/// A command with its arguments already turned into bytes, so it can cross threads.
public struct RedisCommand: Sendable, Equatable {
    public var args: [[UInt8]]

    public init(_ args: [any RedisArgument]) {
        self.args = args.map(\.redisBytes)
    }

    public init(_ args: any RedisArgument...) {
        self.init(args)
    }

    /// Builds from arguments that are already bytes.
    public init(bytes args: [[UInt8]]) {
        self.args = args
    }

    /// The command name, upper-cased, for messages and retry decisions.
    public var name: String {
        guard let first = args.first else { return "" }
        return String(decoding: first, as: UTF8.self).uppercased()
    }
}

extension RedisCommand {
    /// Appends this command in RESP2 wire form (`*N\r\n$len\r\narg\r\n...`) to `buffer`.
    func encode(into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        appendDecimal(args.count, to: &buffer)
        buffer.append(13); buffer.append(10)
        for arg in args {
            buffer.append(UInt8(ascii: "$"))
            appendDecimal(arg.count, to: &buffer)
            buffer.append(13); buffer.append(10)
            buffer.append(contentsOf: arg)
            buffer.append(13); buffer.append(10)
        }
    }
}

private func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
    precondition(value >= 0, "RESP lengths are never negative")
    if value < 10 {
        buffer.append(UInt8(ascii: "0") + UInt8(value))
        return
    }
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    var v = value
    withUnsafeMutableBytes(of: &digits) { raw in
        while v > 0 {
            raw[count] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            count += 1
        }
        for i in stride(from: count - 1, through: 0, by: -1) { buffer.append(raw[i]) }
    }
}
