import Testing
@testable import Terminal

struct KeyTests {
    @Test(arguments: [
        (UInt32(10), Key.enter), (13, .enter), (27, .escape), (9, .tab), (127, .backspace), (8, .backspace),
        (3, .ctrl("c")), (21, .ctrl("u")), (UInt32(Character("q").asciiValue!), .char("q")),
        (0xD55C, .char("한")),
    ])
    func charactersDecode(code: UInt32, key: Key) {
        #expect(Key.decode(character: code) == key)
    }

    @Test func keyCodesDecodeToNamedKeys() {
        let f0 = KeyCodes.f0
        #expect(Key.decode(keyCode: KeyCodes.up, functionKeyBase: f0) == .up)
        #expect(Key.decode(keyCode: KeyCodes.pageDown, functionKeyBase: f0) == .pageDown)
        #expect(Key.decode(keyCode: KeyCodes.resize, functionKeyBase: f0) == .resize)
        #expect(Key.decode(keyCode: f0 + 10, functionKeyBase: f0) == .f(10))
        #expect(Key.decode(keyCode: KeyCodes.backTab, functionKeyBase: f0) == .backTab)
        #expect(Key.decode(keyCode: 9999, functionKeyBase: f0) == .unknown(9999))
    }
}
