import CNcursesw

/// curses' key codes, named once so `Key.decode` reads as a table.
enum KeyCodes {
    static let up = Int32(KEY_UP)
    static let down = Int32(KEY_DOWN)
    static let left = Int32(KEY_LEFT)
    static let right = Int32(KEY_RIGHT)
    static let pageUp = Int32(KEY_PPAGE)
    static let pageDown = Int32(KEY_NPAGE)
    static let home = Int32(KEY_HOME)
    static let end = Int32(KEY_END)
    static let enter = Int32(KEY_ENTER)
    static let backspace = Int32(KEY_BACKSPACE)
    static let delete = Int32(KEY_DC)
    static let backTab = Int32(KEY_BTAB)
    static let resize = Int32(KEY_RESIZE)
    static let f0 = Int32(batch_key_f(0))
}
