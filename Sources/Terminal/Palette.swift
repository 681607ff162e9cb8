import CNcursesw

/// How each `Style` role looks: a colour pair and attributes, or attributes alone.
struct Palette {
    let color: Bool

    private struct Look {
        var fg: Int16
        var bg: Int16
        var attrs: attr_t
    }

    private func look(_ style: Style) -> Look {
        let bold = batch_a_bold(), reverse = batch_a_reverse(), dim = batch_a_dim()
        let none = attr_t(0)
        let d: Int16 = -1  // the terminal's own colour
        let black = Int16(COLOR_BLACK), red = Int16(COLOR_RED), green = Int16(COLOR_GREEN),
            yellow = Int16(COLOR_YELLOW), blue = Int16(COLOR_BLUE), magenta = Int16(COLOR_MAGENTA),
            cyan = Int16(COLOR_CYAN), white = Int16(COLOR_WHITE)
        if !color {
            switch style {
            case .title, .tabActive, .selection, .functionLabel, .dialog: return Look(fg: d, bg: d, attrs: reverse)
            case .stateFailed, .error, .header, .meterValue, .functionKey: return Look(fg: d, bg: d, attrs: bold)
            case .dim, .stateCancelled: return Look(fg: d, bg: d, attrs: dim)
            case .input: return Look(fg: d, bg: d, attrs: batch_a_underline())
            default: return Look(fg: d, bg: d, attrs: none)
            }
        }
        switch style {
        case .normal: return Look(fg: d, bg: d, attrs: none)
        case .header: return Look(fg: cyan, bg: d, attrs: bold)
        case .meterLabel: return Look(fg: cyan, bg: d, attrs: none)
        case .meterBar: return Look(fg: green, bg: d, attrs: bold)
        case .meterValue: return Look(fg: d, bg: d, attrs: bold)
        case .title: return Look(fg: black, bg: green, attrs: none)
        case .tab: return Look(fg: d, bg: d, attrs: none)
        case .tabActive: return Look(fg: black, bg: cyan, attrs: none)
        case .selection: return Look(fg: black, bg: cyan, attrs: none)
        case .stateQueued: return Look(fg: yellow, bg: d, attrs: none)
        case .stateRunning: return Look(fg: green, bg: d, attrs: bold)
        case .stateSucceeded: return Look(fg: green, bg: d, attrs: none)
        case .stateFailed: return Look(fg: red, bg: d, attrs: bold)
        case .stateCancelled: return Look(fg: magenta, bg: d, attrs: none)
        case .dim: return Look(fg: blue, bg: d, attrs: bold)
        case .status: return Look(fg: d, bg: d, attrs: none)
        case .error: return Look(fg: white, bg: red, attrs: bold)
        case .functionKey: return Look(fg: d, bg: d, attrs: bold)
        case .functionLabel: return Look(fg: black, bg: cyan, attrs: none)
        case .dialog: return Look(fg: black, bg: white, attrs: none)
        case .input: return Look(fg: white, bg: blue, attrs: none)
        }
    }

    /// Colour pair numbers are the role's index + 1 (pair 0 is the terminal default).
    func install() {
        guard color else { return }
        for style in Style.allCases {
            let l = look(style)
            _ = init_pair(Int16(style.rawValue + 1), l.fg, l.bg)
        }
    }

    func apply(_ style: Style, to window: UnsafeMutablePointer<WINDOW>) {
        let l = look(style)
        _ = wattr_set(window, l.attrs, color ? Int16(style.rawValue + 1) : 0, nil)
    }
}
