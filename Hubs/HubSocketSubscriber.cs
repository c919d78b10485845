using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Observability;
using SkubberPush.Sockets;

namespace SkubberPush.Hubs;

/// <summary>
/// A hub connection on a <see cref="HubSocket"/>. Events are queued as whole frames, built once per
/// event and hub protocol (<see cref="HubFrameEncoder"/>), in the same bounded outbox the hub's own
/// writes go through; the <see cref="OutboxScheduler"/> writes several per socket write, as for
/// Pusher connections. One queue for everything means the client sees messages in the order they
/// were queued, so nothing waits for a flush. A client that falls behind by the outbox's capacity
/// is cut off instead of growing memory.
/// </summary>
public sealed class HubSocketSubscriber : HubSubscriber
{
    private readonly HubSocket _socket;
    // The socket's outbox, held directly: delivery touches one object per subscriber less.
    private readonly FrameOutbox _outbox;
    private readonly IHubProtocol _protocol;
    private readonly HubFrameEncoder _encoder;
    private readonly ILogger _logger;

    public HubSocketSubscriber(string socketId, HubSocket socket, IHubProtocol protocol, HubIdentity identity,
        TransportCounters counters, ILogger logger) : base(socketId, identity, counters)
    {
        _socket = socket;
        _outbox = socket.Outbox;
        _protocol = protocol;
        _encoder = HubFrameEncoder.For(protocol);
        _logger = logger;
        // Queued before the subscriber can be reached by any publisher, so it comes first.
        Queue(_encoder.Frame(_protocol.GetMessageBytes(ConnectedMessage()).Span));
    }

    public override Task StartAsync() => Task.CompletedTask;

    public override Task FlushAsync() => Task.CompletedTask;

    public override void Deliver(OutboundEvent evt)
    {
        var frame = evt.Encode(_encoder);
        if (Queue(frame))
            Counters.Sent(WebSocketFrames.PayloadLength(frame)); // events only, as on the pipeline path
    }

    protected override void Close(CloseMessage message)
    {
        Queue(_encoder.Frame(_protocol.GetMessageBytes(message).Span));
        _socket.Close();
    }

    private bool Queue(byte[] frame)
    {
        switch (_outbox.Enqueue(frame))
        {
            case OutboxResult.Queued:
                return true;
            case OutboxResult.Full:
                LogSlowConsumer(_logger, SocketId, OutboxCapacity);
                _socket.Cut();
                return false;
            default:
                return false;
        }
    }
}
