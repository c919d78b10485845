using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Hubs;
using SkubberPush.Sockets;

namespace SkubberPush.Tests.Hubs;

/// <summary>
/// The transport under a direct hub connection: client frames in, the hub's writes out as frames.
/// The connection's two directions are in-memory pipes here; the end-to-end tests run the same
/// code on real sockets with the SignalR client.
/// </summary>
public sealed class HubSocketTests : IAsyncDisposable
{
    private static readonly byte[] Mask = [0x11, 0x22, 0x33, 0x44];
    private readonly OutboxScheduler _scheduler = new(NullLogger<OutboxScheduler>.Instance);
    private readonly Pipe _fromClient = new();
    private readonly Pipe _toClient = new();
    private readonly HubSocket _socket;
    private readonly Task _receiving;

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }

    private sealed class Heartbeat : IConnectionHeartbeatFeature
    {
        public void OnHeartbeat(Action<object> action, object state) { }
    }

    public HubSocketTests()
    {
        var kestrel = new DefaultConnectionContext("c-1", new Duplex(_fromClient.Reader, _toClient.Writer), new Duplex(_toClient.Reader, _fromClient.Writer));
        kestrel.Features.Set<IConnectionHeartbeatFeature>(new Heartbeat());
        var outbox = new FrameOutbox(_scheduler, 16, socket: null, _toClient.Writer.AsStream());
        _socket = new HubSocket(kestrel, "c-1", outbox, maxMessageBytes: 1_000, new HubIdentity("1001", "u-1", true, null, []), TimeProvider.System);
        _receiving = _socket.ReceiveAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _fromClient.Writer.CompleteAsync();
        await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
        _scheduler.Dispose();
    }

    private static byte[] ClientFrame(int opcode, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        byte[] header = payload.Length < 126
            ? [(byte)(0x80 | opcode), (byte)(0x80 | payload.Length)]
            : [(byte)(0x80 | opcode), 0x80 | 126, (byte)(payload.Length >> 8), (byte)payload.Length];
        return [.. header, .. Mask, .. payload.Select((b, i) => (byte)(b ^ Mask[i % 4]))];
    }

    private async Task SendAsync(params byte[][] frames)
    {
        foreach (var frame in frames)
            await _fromClient.Writer.WriteAsync(frame);
    }

    // One server frame: (opcode, payload). Server frames are never masked.
    private async Task<(int Opcode, byte[] Payload)> NextFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            var read = await _toClient.Reader.ReadAsync(timeout.Token);
            var bytes = read.Buffer.ToArray();
            if (bytes.Length >= 2)
            {
                (int header, int length) = (bytes[1] & 0x7f) switch
                {
                    126 when bytes.Length >= 4 => (4, (int)BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2))),
                    126 => (4, int.MaxValue),
                    var n => (2, n),
                };
                if (bytes.Length >= header + length)
                {
                    _toClient.Reader.AdvanceTo(read.Buffer.GetPosition(header + length));
                    return (bytes[0] & 0x0f, bytes[header..(header + length)]);
                }
            }
            _toClient.Reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private async Task<string> HubReadsAsync(int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
        {
            var read = await _socket.Transport.Input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            text.Append(Encoding.UTF8.GetString(read.Buffer.ToArray()));
            _socket.Transport.Input.AdvanceTo(read.Buffer.End);
        }
        return text.ToString();
    }

    [Fact]
    public async Task Client_messages_reach_the_hub_unmasked_and_in_order()
    {
        const string handshake = "{\"protocol\":\"json\",\"version\":1}\u001e";
        await SendAsync(ClientFrame(1, handshake), ClientFrame(2, new string('x', 300)));
        Assert.Equal(handshake + new string('x', 300), await HubReadsAsync(handshake.Length + 300));
    }

    [Fact]
    public async Task Each_flush_of_the_hub_leaves_as_one_frame_text_for_json_and_binary_for_messagepack()
    {
        var output = _socket.Transport.Output;
        output.Write("{}\u001e"u8);
        output.Write("{\"type\":6}\u001e"u8);
        await output.FlushAsync();
        Assert.Equal((1, "{}\u001e{\"type\":6}\u001e"), await NextTextAsync());

        ((ITransferFormatFeature)_socket).ActiveFormat = TransferFormat.Binary;
        output.Write(new byte[500]);
        await output.FlushAsync();
        var (opcode, payload) = await NextFrameAsync();
        Assert.Equal((2, 500), (opcode, payload.Length));
    }

    private async Task<(int, string)> NextTextAsync()
    {
        var (opcode, payload) = await NextFrameAsync();
        return (opcode, Encoding.UTF8.GetString(payload));
    }

    [Fact]
    public async Task A_ping_gets_its_pong_and_a_close_gets_a_close_and_ends_the_hub_input()
    {
        await SendAsync(ClientFrame(9, "are you there"));
        Assert.Equal((10, "are you there"), await NextTextAsync());
        await SendAsync([0x88, 0x80, .. Mask]); // close, no payload
        var (opcode, payload) = await NextFrameAsync();
        Assert.Equal((8, 1000), (opcode, BinaryPrimitives.ReadUInt16BigEndian(payload)));
        var read = await _socket.Transport.Input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(read.IsCompleted);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_refused_with_1009_before_the_hub_sees_it()
    {
        await SendAsync(ClientFrame(1, new string('y', 1_001)));
        var (opcode, payload) = await NextFrameAsync();
        Assert.Equal((8, 1009), (opcode, BinaryPrimitives.ReadUInt16BigEndian(payload)));
        var read = await _socket.Transport.Input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(read.IsCompleted);
        Assert.True(read.Buffer.IsEmpty);
    }

    [Fact]
    public async Task Abort_stops_reading_and_the_hub_sees_its_input_end_but_what_it_wrote_still_leaves()
    {
        _socket.Transport.Output.Write("{\"type\":7}\u001e"u8);
        await _socket.Transport.Output.FlushAsync();
        _socket.Abort(new ConnectionAbortedException());
        var read = await _socket.Transport.Input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(read.IsCompleted);
        Assert.Equal((1, "{\"type\":7}\u001e"), await NextTextAsync());
    }

    [Fact]
    public async Task Cutting_off_a_client_drops_what_is_queued_and_ends_the_hub_input()
    {
        _socket.Cut();
        Assert.Equal(OutboxResult.Closed, _socket.Outbox.Enqueue([0x81, 0]));
        var read = await _socket.Transport.Input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(read.IsCompleted);
    }

    [Fact]
    public void Its_own_features_win_and_kestrels_show_through()
    {
        IFeatureCollection features = _socket.Features;
        Assert.Same(_socket, features.Get<HubSocket>());
        Assert.Same(_socket, features.Get<IConnectionTransportFeature>()); // not Kestrel's raw pipes
        Assert.IsType<Heartbeat>(features.Get<IConnectionHeartbeatFeature>());
        Assert.False(features.Get<IConnectionUserFeature>()!.User!.Identity!.IsAuthenticated);
        features.Set<IConnectionInherentKeepAliveFeature>(null);
        Assert.Null(features.Get<IConnectionInherentKeepAliveFeature>());
        var marker = new object();
        features[typeof(object)] = marker;
        Assert.Same(marker, features[typeof(object)]);
        Assert.Contains(features, pair => pair.Key == typeof(IConnectionHeartbeatFeature));
        Assert.Single(features, pair => pair.Key == typeof(IConnectionTransportFeature));
    }
}
