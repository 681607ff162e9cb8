import CNcursesw
import Synchronization

/// Display width of text in terminal cells, measured with `wcwidth` so that wide
/// (CJK, emoji) characters count two cells and combining marks none.
public enum TextWidth {
    /// `wcwidth` answers by LC_CTYPE; the process starts in the "C" locale, where it
    /// knows nothing beyond ASCII. Take the environment's locale, and fall back to
    /// C.UTF-8 when that is not UTF-8, since everything the system shows is UTF-8.
    private static let localeReady: Bool = {
        _ = setlocale(LC_CTYPE, "")
        if batch_ctype_is_utf8() == 0 { _ = setlocale(LC_CTYPE, "C.UTF-8") }
        return batch_ctype_is_utf8() != 0
    }()

    /// Makes sure the character type locale is set up; `CursesScreen` calls it first.
    @discardableResult
    public static func prepareLocale() -> Bool { localeReady }

    /// Whether a scalar would drive the terminal rather than show (C0, DEL, C1).
    @inline(__always)
    static func isControl(_ v: UInt32) -> Bool { v < 0x20 || (v >= 0x7F && v < 0xA0) }

    /// The width of one scalar: 0, 1 or 2. Control characters count 1 because they are
    /// shown as `?`; scalars `wcwidth` cannot place count 1.
    public static func width(of scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x7F { return 1 }  // ASCII, including controls drawn as "?"
        if isControl(v) { return 1 }
        _ = localeReady
        let w = Int(batch_wcwidth(v))
        return w < 0 ? 1 : min(w, 2)
    }

    /// The width of a character (a grapheme cluster): its widest scalar, so an emoji
    /// with a variation selector or a letter with combining marks measures right.
    public static func width(of ch: Character) -> Int {
        var w = 0
        for s in ch.unicodeScalars { w = max(w, width(of: s)) }
        return w
    }

    /// The width of a string in cells.
    public static func width(_ s: String) -> Int {
        var w = 0
        for ch in s { w += width(of: ch) }
        return w
    }

    /// The character as it may be shown: controls become `?`.
    public static func printable(_ ch: Character) -> Character {
        if ch.unicodeScalars.contains(where: { isControl($0.value) }) { return "?" }
        return ch
    }

    /// Cuts `s` to at most `width` cells, never splitting a wide character; with
    /// `ellipsis` a cut string ends in "…".
    public static func truncate(_ s: String, to width: Int, ellipsis: Bool = false) -> String {
        guard width > 0 else { return "" }
        if Self.width(s) <= width { return s }
        let limit = ellipsis ? width - 1 : width
        var out = ""
        var used = 0
        for ch in s {
            let w = Self.width(of: ch)
            if used + w > limit { break }
            out.append(ch)
            used += w
        }
        if ellipsis { out.append("…") }
        return out
    }

    /// `s` cut or padded with blanks to exactly `width` cells (left-aligned).
    public static func pad(_ s: String, to width: Int) -> String {
        let cut = truncate(s, to: width)
        let w = Self.width(cut)
        return w < width ? cut + String(repeating: " ", count: width - w) : cut
    }

    /// `s` cut or padded to exactly `width` cells, right-aligned (for numbers).
    public static func padLeft(_ s: String, to width: Int) -> String {
        let cut = truncate(s, to: width)
        let w = Self.width(cut)
        return w < width ? String(repeating: " ", count: width - w) + cut : cut
    }
}
