using System.IO.Pipelines;
using System.Text;
using SkubberPush.Sockets;

namespace SkubberPush.Tests.Sockets;

public sealed class ClientFrameReaderTests
{
    private static readonly byte[] Mask = [0x37, 0xfa, 0x21, 0x3d];

    // A client frame: masked, as RFC 6455 requires of clients.
    private static byte[] Frame(int opcode, byte[] payload, bool fin = true, bool masked = true, byte reserved = 0)
    {
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | reserved | opcode) };
        var maskBit = masked ? 0x80 : 0;
        if (payload.Length < 126)
            header.Add((byte)(maskBit | payload.Length));
        else if (payload.Length <= ushort.MaxValue)
            header.AddRange([(byte)(maskBit | 126), (byte)(payload.Length >> 8), (byte)payload.Length]);
        else
            header.AddRange(new byte[] { (byte)(maskBit | 127) }.Concat(BitConverter.GetBytes((ulong)payload.Length).Reverse()));
        if (!masked)
            return [.. header, .. payload];
        return [.. header, .. Mask, .. payload.Select((b, i) => (byte)(b ^ Mask[i % 4]))];
    }

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static async Task<List<(ClientMessageKind Kind, string Text)>> ReadAllAsync(int max, params byte[][] chunks)
    {
        var pipe = new Pipe();
        var reader = new ClientFrameReader(pipe.Reader, max);
        var writing = Task.Run(async () =>
        {
            foreach (var chunk in chunks)
            {
                await pipe.Writer.WriteAsync(chunk);
                await Task.Delay(5); // each chunk its own read
            }
            await pipe.Writer.CompleteAsync();
        });
        var messages = new List<(ClientMessageKind, string)>();
        while (true)
        {
            var message = await reader.ReadAsync(CancellationToken.None);
            messages.Add((message.Kind, Encoding.UTF8.GetString(message.Payload.Span)));
            message.Release();
            if (message.Kind is not (ClientMessageKind.Text or ClientMessageKind.Binary or ClientMessageKind.Ping or ClientMessageKind.Pong))
                break;
        }
        await writing;
        return messages;
    }

    [Fact]
    public async Task Unmasks_text_of_every_length_form_split_anywhere()
    {
        var small = new string('a', 125);
        var medium = new string('é', 40_000);   // 80,000 bytes: 64-bit length
        var mid = new string('b', 300);          // 16-bit length
        var bytes = Frame(1, Text(small)).Concat(Frame(1, Text(mid))).Concat(Frame(1, Text(medium))).ToArray();
        var chunks = bytes.Chunk(1_000).Prepend(bytes[..1]).ToArray(); // the very first read has one byte
        chunks[1] = chunks[1][1..];
        var messages = await ReadAllAsync(200_000, chunks);
        Assert.Equal([(ClientMessageKind.Text, small), (ClientMessageKind.Text, mid), (ClientMessageKind.Text, medium), (ClientMessageKind.End, "")], messages);
    }

    [Fact]
    public async Task Joins_fragments_with_control_frames_between_them()
    {
        var messages = await ReadAllAsync(1_000,
            Frame(1, Text("{\"event\":"), fin: false),
            Frame(9, Text("are you there")),
            Frame(0, Text("\"pusher:ping\","), fin: false),
            Frame(0, Text("\"data\":{}}")),
            Frame(8, [0x03, 0xe8]));
        Assert.Equal([ClientMessageKind.Ping, ClientMessageKind.Text, ClientMessageKind.Close], messages.Select(m => m.Kind));
        Assert.Equal("are you there", messages[0].Text);
        Assert.Equal("{\"event\":\"pusher:ping\",\"data\":{}}", messages[1].Text);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_refused_before_its_bytes_arrive()
    {
        var frame = Frame(1, Text(new string('x', 2_000)));
        var messages = await ReadAllAsync(1_000, frame[..8]); // only the header has arrived
        Assert.Equal(ClientMessageKind.TooBig, messages.Single().Kind);

        var fragmented = await ReadAllAsync(1_000, Frame(1, Text(new string('x', 600)), fin: false), Frame(0, Text(new string('x', 600))));
        Assert.Equal(ClientMessageKind.TooBig, fragmented.Single().Kind);
    }

    [Theory]
    [InlineData("unmasked")]
    [InlineData("reserved bit")]
    [InlineData("stray continuation")]
    [InlineData("new message mid-fragment")]
    [InlineData("unknown opcode")]
    [InlineData("fragmented ping")]
    public async Task Frames_that_break_rfc_6455_are_protocol_errors(string fault)
    {
        byte[][] frames = fault switch
        {
            "unmasked" => [Frame(1, Text("hi"), masked: false)],
            "reserved bit" => [Frame(1, Text("hi"), reserved: 0x40)],
            "stray continuation" => [Frame(0, Text("hi"))],
            "new message mid-fragment" => [Frame(1, Text("a"), fin: false), Frame(1, Text("b"))],
            "unknown opcode" => [Frame(3, Text("hi"))],
            _ => [Frame(9, Text("hi"), fin: false)],
        };
        Assert.Equal(ClientMessageKind.ProtocolError, (await ReadAllAsync(1_000, frames)).Last().Kind);
    }

    [Fact]
    public async Task Text_that_is_not_utf8_is_refused_and_binary_is_passed_on()
    {
        var messages = await ReadAllAsync(1_000, Frame(2, [0xff, 0xfe]), Frame(1, [0xff, 0xfe]));
        Assert.Equal([ClientMessageKind.Binary, ClientMessageKind.InvalidText], messages.Select(m => m.Kind));
    }
}
