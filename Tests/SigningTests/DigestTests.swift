import Signing
import Testing

@Suite struct DigestTests {
    @Test func sha256OfEmptyInput() {
        #expect(Hex.encode(Digest.sha256([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func sha256OfABC() {
        #expect(Digest.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// GitHub's documented webhook signature vector.
    @Test func hmacMatchesGitHubVector() {
        let mac = Digest.hmacSHA256(key: Array("It's a Secret to Everybody".utf8), data: Array("Hello, World!".utf8))
        #expect(Hex.encode(mac) == "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
    }

    /// RFC 4231 test case 2.
    @Test func hmacRFC4231Case2() {
        let mac = Digest.hmacSHA256(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func hmacWithEmptyKeyAndData() {
        #expect(Hex.encode(Digest.hmacSHA256(key: [UInt8](), data: [UInt8]()))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func constantTimeEquals() {
        #expect(ConstantTime.equals("sha256=abc", "sha256=abc"))
        #expect(!ConstantTime.equals("sha256=abc", "sha256=abd"))
        #expect(!ConstantTime.equals("sha256=abc", "sha256=ab"))
        #expect(ConstantTime.equals("", ""))
    }

    @Test func hexRoundTripAndRejects() {
        #expect(Hex.decode("00ffAB") == [0, 255, 171])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.encode([0, 255, 171]) == "00ffab")
    }

    @Test func base64urlHasNoPaddingAndRoundTrips() {
        let bytes: [UInt8] = [0xfb, 0xff, 0xfe, 0x01]
        let s = Base64.urlEncode(bytes)
        #expect(s == "-__-AQ")
        #expect(Base64.urlDecode(s) == bytes)
        #expect(Base64.urlDecode("a+b") == nil)
        #expect(Base64.decode("aGVsbG8") == Array("hello".utf8))
    }
}
