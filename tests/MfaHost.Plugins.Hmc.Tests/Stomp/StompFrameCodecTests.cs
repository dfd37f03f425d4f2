using System.Text;
using MfaHost.Plugins.Hmc.Stomp;

namespace MfaHost.Plugins.Hmc.Tests.Stomp;

public class StompFrameCodecTests
{
    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static StompFrame Decode(string wire)
    {
        Assert.That(StompFrameCodec.TryDecode(Bytes(wire), out var frame, out var consumed), Is.True);
        Assert.That(consumed, Is.EqualTo(Bytes(wire).Length));
        return frame!;
    }

    [Test]
    public void Connect_is_encoded_with_headers_unescaped_and_a_nul_terminator()
    {
        var frame = new StompFrame("CONNECT", [new("accept-version", "1.2"), new("host", "hmc1"), new("login", "a:b"), new("passcode", "p\\w")]);

        Assert.That(Text(StompFrameCodec.Encode(frame)), Is.EqualTo("CONNECT\naccept-version:1.2\nhost:hmc1\nlogin:a:b\npasscode:p\\w\n\n\0"));
    }

    [TestCase("line\nfeed")]
    [TestCase("carriage\rreturn")]
    public void A_connect_header_with_cr_or_lf_cannot_be_encoded_and_the_error_hides_the_value(string passcode)
    {
        var frame = new StompFrame("CONNECT", [new("passcode", passcode)]);

        var error = Assert.Throws<StompProtocolException>(() => StompFrameCodec.Encode(frame));

        Assert.That(error!.Message, Does.Contain("passcode").And.Not.Contain(passcode));
    }

    [Test]
    public void Other_frames_escape_backslash_cr_lf_and_colon()
    {
        var frame = new StompFrame("SEND", [new("destination", "/topic/a:b"), new("x", "1\\2\r\n")]);

        Assert.That(Text(StompFrameCodec.Encode(frame)), Is.EqualTo("SEND\ndestination:/topic/a\\cb\nx:1\\\\2\\r\\n\n\n\0"));
    }

    [Test]
    public void A_body_gets_a_content_length()
    {
        var frame = new StompFrame("SEND", [new("destination", "/q")], Bytes("hi\0there"));

        Assert.That(Text(StompFrameCodec.Encode(frame)), Is.EqualTo("SEND\ndestination:/q\ncontent-length:8\n\nhi\0there\0"));
    }

    [Test]
    public void An_error_frame_is_decoded_with_its_headers_unescaped()
    {
        var frame = Decode("ERROR\nmessage:Access refused\\c invalid login\\\\x\ncontent-type:text/plain\n\nbad login\0");

        Assert.Multiple(() =>
        {
            Assert.That(frame.Command, Is.EqualTo("ERROR"));
            Assert.That(frame["message"], Is.EqualTo("Access refused: invalid login\\x"));
            Assert.That(frame["content-type"], Is.EqualTo("text/plain"));
            Assert.That(Text(frame.Body.ToArray()), Is.EqualTo("bad login"));
        });
    }

    [Test]
    public void Connected_headers_are_not_unescaped()
    {
        Assert.That(Decode("CONNECTED\nversion:1.2\nserver:a\\cb\n\n\0")["server"], Is.EqualTo("a\\cb"));
    }

    [Test]
    public void Crlf_line_endings_are_accepted()
    {
        var frame = Decode("CONNECTED\r\nversion:1.2\r\nheart-beat:0,0\r\n\r\n\0");

        Assert.That((frame.Command, frame["version"], frame["heart-beat"]), Is.EqualTo(("CONNECTED", "1.2", "0,0")));
    }

    [Test]
    public void A_content_length_body_may_hold_nul()
    {
        var frame = Decode("MESSAGE\ncontent-length:3\n\na\0b\0");

        Assert.That(frame.Body.ToArray(), Is.EqualTo(new byte[] { (byte)'a', 0, (byte)'b' }));
    }

    [Test]
    public void The_first_of_repeated_headers_wins()
    {
        Assert.That(Decode("MESSAGE\nfoo:first\nfoo:second\n\n\0")["foo"], Is.EqualTo("first"));
    }

    [Test]
    public void Heart_beat_eols_before_a_frame_are_skipped()
    {
        var wire = Bytes("\n\r\n\nRECEIPT\nreceipt-id:77\n\n\0");

        Assert.That(StompFrameCodec.TryDecode(wire, out var frame, out var consumed), Is.True);
        Assert.That((frame!.Command, frame["receipt-id"], consumed), Is.EqualTo(("RECEIPT", "77", wire.Length)));
    }

    [Test]
    public void Only_eols_are_consumed_without_a_frame()
    {
        Assert.That(StompFrameCodec.TryDecode(Bytes("\n\n"), out var frame, out var consumed), Is.False);
        Assert.That((frame, consumed), Is.EqualTo(((StompFrame?)null, 2)));
    }

    [TestCase("CONNECTED\nversion:1.2\n")]
    [TestCase("CONNECTED\nversion:1.2\n\n")]
    [TestCase("MESSAGE\ncontent-length:5\n\nab")]
    [TestCase("CONNEC")]
    public void An_incomplete_frame_needs_more_bytes(string wire)
    {
        Assert.That(StompFrameCodec.TryDecode(Bytes(wire), out var frame, out _), Is.False);
        Assert.That(frame, Is.Null);
    }

    [Test]
    public void Two_frames_in_one_buffer_are_read_one_after_the_other()
    {
        var wire = Bytes("RECEIPT\nreceipt-id:1\n\n\0\nRECEIPT\nreceipt-id:2\n\n\0");

        Assert.That(StompFrameCodec.TryDecode(wire, out var first, out var used), Is.True);
        Assert.That(StompFrameCodec.TryDecode(wire.AsSpan(used), out var second, out var usedToo), Is.True);
        Assert.That((first!["receipt-id"], second!["receipt-id"], used + usedToo), Is.EqualTo(("1", "2", wire.Length)));
    }

    [TestCase("ERROR\nmessage:bad \\t escape\n\n\0", "undefined escape")]
    [TestCase("ERROR\nmessage:ends with \\\n\n\0", "lone backslash")]
    [TestCase("ERROR\nno colon here\n\n\0", "no name or no ':'")]
    [TestCase("MESSAGE\ncontent-length:2\n\nabc\0", "not followed by NUL")]
    [TestCase("MESSAGE\ncontent-length:-1\n\n\0", "content-length")]
    [TestCase("HTTP/1.1 400 Bad Request\n\n\0", "not a STOMP command")]
    public void A_malformed_frame_is_a_protocol_error(string wire, string problem)
    {
        var error = Assert.Throws<StompProtocolException>(() => StompFrameCodec.TryDecode(Bytes(wire), out _, out _));

        Assert.That(error!.Message, Does.Contain(problem));
    }

    [Test]
    public void A_frame_that_never_ends_is_refused_past_the_size_limit()
    {
        var wire = Bytes("MESSAGE\n\n" + new string('x', StompFrameCodec.MaxFrameSize + 1));

        Assert.Throws<StompProtocolException>(() => StompFrameCodec.TryDecode(wire, out _, out _));
    }

    [Test]
    public void Encoding_then_decoding_gives_the_frame_back()
    {
        var sent = new StompFrame("SEND", [new("destination", "/topic/x"), new("weird", "a:b\\c\nd")], Bytes("body"));

        var received = Decode(Text(StompFrameCodec.Encode(sent)));

        Assert.Multiple(() =>
        {
            Assert.That(received.Command, Is.EqualTo("SEND"));
            Assert.That(received["weird"], Is.EqualTo("a:b\\c\nd"));
            Assert.That(received["content-length"], Is.EqualTo("4"));
            Assert.That(Text(received.Body.ToArray()), Is.EqualTo("body"));
        });
    }

    [Test]
    public void A_frame_prints_only_its_command()
    {
        Assert.That(new StompFrame("CONNECT", [new("passcode", "secret")]).ToString(), Is.EqualTo("CONNECT"));
    }
}
