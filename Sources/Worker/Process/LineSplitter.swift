import Glibc

/// What the splitter found in a chunk of output.
enum SplitResult: Equatable {
    /// A whole line (or the beginning of a too-long one), without its line end.
    case line([UInt8], truncated: Bool)
    /// A line that was refused by `admit`: its length without the line end.
    case dropped(bytes: Int)
    /// Bytes cut off the end of a too-long line.
    case cut(bytes: Int)
}

/// Splits a byte stream into lines. Each line is admitted (or refused) when its
/// first byte arrives, so a refused line is only counted, never stored; a kept
/// line is stored up to `maxLineBytes`, then delivered as truncated and the rest
/// skipped. Memory per stream is at most `maxLineBytes`.
struct LineSplitter {
    let maxLineBytes: Int
    private var partial: [UInt8] = []
    private var inLine = false
    private var admitted = false
    private var cutting = false
    private var droppedInLine = 0

    init(maxLineBytes: Int) { self.maxLineBytes = max(1, maxLineBytes) }

    /// Consumes `chunk`; `admit` is asked once per line, `emit` gets the results in order.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, admit: () -> Bool, emit: (SplitResult) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var i = 0
        while i < chunk.count {
            if !inLine {
                inLine = true; admitted = admit(); cutting = false; droppedInLine = 0
            }
            let found = memchr(base + i, 0x0A, chunk.count - i)
            let end = found.map { UnsafeRawPointer($0) - base } ?? chunk.count
            let segment = UnsafeRawBufferPointer(rebasing: chunk[i..<end])
            if !admitted {
                droppedInLine += segment.count
            } else if cutting {
                if segment.count > 0 { emit(.cut(bytes: segment.count)) }
            } else {
                append(segment, emit: emit)
            }
            guard found != nil else { return }
            endLine(emit: emit)
            i = end + 1
        }
    }

    /// Ends the stream: an unterminated last line is delivered.
    mutating func finish(emit: (SplitResult) -> Void) {
        if inLine { endLine(emit: emit) }
        partial = []
    }

    private mutating func append(_ segment: UnsafeRawBufferPointer, emit: (SplitResult) -> Void) {
        let room = maxLineBytes - partial.count
        if segment.count <= room {
            partial.append(contentsOf: segment)
            return
        }
        // Cut on a UTF-8 character boundary so the kept part stays valid text.
        var keep = room
        while keep > 0, segment[keep] & 0xC0 == 0x80 { keep -= 1 }
        partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: segment[0..<keep]))
        emit(.line(partial, truncated: true))
        emit(.cut(bytes: segment.count - keep))
        partial.removeAll(keepingCapacity: partial.capacity <= 4096)
        cutting = true
    }

    private mutating func endLine(emit: (SplitResult) -> Void) {
        if !admitted {
            emit(.dropped(bytes: droppedInLine))
        } else if !cutting {
            if partial.last == 0x0D { partial.removeLast() }
            emit(.line(partial, truncated: false))
            partial.removeAll(keepingCapacity: partial.capacity <= 4096)
        }
        inLine = false
    }
}
