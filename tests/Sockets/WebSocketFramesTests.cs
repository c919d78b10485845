using System.Buffers.Binary;
using System.Text;
using SkubberPush.Sockets;

namespace SkubberPush.Tests.Sockets;

public sealed class WebSocketFramesTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(125, 2)]
    [InlineData(126, 4)]
    [InlineData(65_535, 4)]
    [InlineData(65_536, 10)]
    public void Text_frames_carry_the_length_in_the_shortest_rfc_6455_form(int length, int header)
    {
        var payload = Enumerable.Repeat((byte)'x', length).ToArray();
        var frame = WebSocketFrames.Text(payload);
        Assert.Equal(header + length, frame.Length);
        Assert.Equal(0x81, frame[0]); // FIN, text, unmasked as a server's frames are
        var declared = header switch
        {
            2 => frame[1],
            4 => BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(2)),
            _ => (long)BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(2)),
        };
        Assert.Equal(length, declared);
        Assert.Equal(payload, frame[header..]);
        Assert.Equal(length, WebSocketFrames.PayloadLength(frame));
    }

    [Fact]
    public void Close_frames_carry_the_code_and_the_reason()
    {
        var frame = WebSocketFrames.Close(4009, "Connection terminated by the application");
        Assert.Equal(0x88, frame[0]);
        Assert.Equal(frame.Length - 2, frame[1]);
        Assert.Equal(4009, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(2)));
        Assert.Equal("Connection terminated by the application", Encoding.UTF8.GetString(frame.AsSpan(4)));
    }

    [Fact]
    public void Close_reasons_are_clipped_to_a_control_frame_without_splitting_a_character()
    {
        var frame = WebSocketFrames.Close(4001, new string('é', 100)); // 200 bytes of UTF-8
        Assert.True(frame.Length - 2 <= 125);
        var reason = Encoding.UTF8.GetString(frame.AsSpan(4));
        Assert.Equal(new string('é', 61), reason);

        var emoji = WebSocketFrames.Close(4001, string.Concat(Enumerable.Repeat("😀", 40)));
        Assert.Equal(string.Concat(Enumerable.Repeat("😀", 30)), Encoding.UTF8.GetString(emoji.AsSpan(4)));
    }
}
