import Testing
@testable import Terminal

struct GridCanvasTests {
    @Test func putClipsAtTheRightEdgeAndOutsideRows() {
        let c = GridCanvas(rows: 2, cols: 5)
        c.put(0, 2, "abcdef", .normal)
        c.put(5, 0, "nowhere", .normal)
        c.put(-1, 0, "nowhere", .normal)
        #expect(c.lines == ["  abc", "     "])
    }

    @Test func wideCharacterTakesTwoCellsAndIsNotSplitAtTheEdge() {
        let c = GridCanvas(rows: 1, cols: 5)
        c.put(0, 0, "日本語", .title)
        #expect(c.lines == ["日本 "])
        #expect(c.cell(0, 1).char == nil)
        #expect(c.style(0, 3) == .title)
        #expect(c.style(0, 4) == .normal)
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        let c = GridCanvas(rows: 1, cols: 4)
        c.put(0, 0, "日本", .normal)
        c.put(0, 1, "x", .normal)
        #expect(c.lines == [" x本"])
        c.put(0, 2, "y", .normal)
        #expect(c.lines == [" xy "])
    }

    @Test func controlCharactersAreShownAsQuestionMarks() {
        let c = GridCanvas(rows: 1, cols: 8)
        c.put(0, 0, "a\u{1B}[2Jb", .normal)
        #expect(c.trimmedLines == ["a?[2Jb"])
    }

    @Test func fillAndClearSetStyles() {
        let c = GridCanvas(rows: 2, cols: 3)
        c.fillRow(1, .selection)
        #expect(c.style(1, 0) == .selection && c.style(1, 2) == .selection)
        c.put(1, 0, "ab", width: 3, .title)
        #expect(c.lines[1] == "ab ")
        #expect(c.style(1, 2) == .title)
        c.clear()
        #expect(c.lines == ["   ", "   "])
        #expect(c.style(1, 0) == .normal)
        #expect(c.row(containing: "ab") == nil)
    }
}
