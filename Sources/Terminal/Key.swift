/// A key press, decoded from curses' `get_wch` so the console's handlers never see
/// curses codes.
public enum Key: Equatable, Hashable, Sendable {
    case char(Character)
    /// Ctrl and a letter, as the lower-case letter: Ctrl-U is `.ctrl("u")`.
    case ctrl(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    /// A function key, F1 to F12.
    case f(Int)
    /// The terminal changed size.
    case resize
    /// A key curses knows and the console does not.
    case unknown(Int32)
}

extension Key {
    /// Decodes a character that `get_wch` returned as `OK`.
    public static func decode(character code: UInt32) -> Key {
        switch code {
        case 10, 13: return .enter
        case 27: return .escape
        case 9: return .tab
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(code + 96)!))
        default:
            guard let scalar = Unicode.Scalar(code) else { return .unknown(Int32(bitPattern: code)) }
            return .char(Character(scalar))
        }
    }

    /// Decodes a key code that `get_wch` returned as `KEY_CODE_YES`.
    public static func decode(keyCode code: Int32, functionKeyBase: Int32) -> Key {
        if code > functionKeyBase, code <= functionKeyBase + 12 { return .f(Int(code - functionKeyBase)) }
        switch code {
        case KeyCodes.up: return .up
        case KeyCodes.down: return .down
        case KeyCodes.left: return .left
        case KeyCodes.right: return .right
        case KeyCodes.pageUp: return .pageUp
        case KeyCodes.pageDown: return .pageDown
        case KeyCodes.home: return .home
        case KeyCodes.end: return .end
        case KeyCodes.enter: return .enter
        case KeyCodes.backspace: return .backspace
        case KeyCodes.delete: return .delete
        case KeyCodes.backTab: return .backTab
        case KeyCodes.resize: return .resize
        default: return .unknown(code)
        }
    }
}
