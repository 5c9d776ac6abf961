import Testing

@testable import SigV4

@Suite("SigV4 canonical forms")
struct CanonicalizationTests {
    @Test(
        "dot segments and duplicate slashes are removed, a trailing slash kept",
        arguments: [
            ("/", "/"), ("//", "/"), ("/a/./b", "/a/b"), ("/a/b/..", "/a/"), ("/a/../../b", "/b"),
            ("//a//b//", "/a/b/"),
        ]
    )
    func normalizesPaths(input: String, expected: String) {
        #expect(Canonical.normalizedPath(input) == expected)
    }

    @Test("everything but the unreserved characters is percent-encoded in upper-case hex")
    func encodes() {
        #expect(Canonical.encode("a b/c+d=é~") == "a%20b%2Fc%2Bd%3D%C3%A9~")
        #expect(Canonical.encode("/a b/", keepSlash: true) == "/a%20b/")
    }

    @Test("the signing key is derived as AWS documents it")
    func derivesKey() {
        // The worked example of the AWS General Reference (secret wJalr…, 20150830, us-east-1, iam).
        let key = SigningKeyCache.derive(
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            day: "20150830",
            region: "us-east-1",
            service: "iam"
        )
        #expect(Crypto.hex(key) == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    @Test(
        "the signed timestamp is the UTC time, every field at its width",
        arguments: [
            (0, "19700101T000000Z"), (1_440_938_160, "20150830T123600Z"), (1_796_365_809, "20261204T063009Z"),
            (4_102_444_799, "20991231T235959Z"),
        ]
    )
    func amzDate(_ seconds: Int, _ expected: String) {
        let date = AmzDate(secondsSince1970: seconds)
        #expect(date.timestamp == expected)
        #expect(date.day == String(expected.prefix(8)))
    }

    @Test("credentials never print their secret or token")
    func redactsSecrets() {
        let c = SigningCredentials(accessKeyID: "AKID", secretAccessKey: "s3cr3t", sessionToken: "t0k3n")
        #expect(!"\(c)".contains("s3cr3t"))
        #expect(!"\(c)".contains("t0k3n"))
    }
}
