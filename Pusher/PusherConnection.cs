using System.IO.Pipelines;
using System.Net.WebSockets;
using SkubberPush.Channels;
using SkubberPush.Observability;
using SkubberPush.Sockets;

namespace SkubberPush.Pusher;

/// <summary>
/// One Pusher protocol WebSocket. Publishers only queue frames in its bounded
/// <see cref="FrameOutbox"/>, which the outbox scheduler writes in order, so a slow reader delays
/// no one else and is cut off once it falls <see cref="PusherOptions.OutboxCapacity"/> frames behind.
/// The receive loop waits with a zero-byte read, so an idle connection holds no receive buffer,
/// and it is the connection's only pending async state: it awaits the pipe directly.
/// </summary>
public sealed partial class PusherConnection : Subscriber, IClientMessageHandler
{
    private readonly PipeReader _input;
    private readonly ClientFrameReader _reader;
    private readonly FrameOutbox _outbox;
    private readonly PusherDispatcher _dispatcher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TransportCounters _counters;
    private CloseDeadline _closeDeadline;
    private long _lastActivity;
    private long _pingSentAt;

    public PusherConnection(string socketId, string appId, PipeReader input, int maxFrameBytes, FrameOutbox outbox,
        PusherDispatcher dispatcher, TransportCounters counters, TimeProvider time, ILogger logger) : base(socketId)
    {
        _dispatcher = dispatcher;
        AppId = appId;
        _counters = counters;
        _input = input;
        _reader = new ClientFrameReader(input, maxFrameBytes);
        _outbox = outbox;
        _time = time;
        _logger = logger;
        _lastActivity = time.GetTimestamp();
    }

    public string AppId { get; }

    /// <summary>Who <c>pusher:signin</c> proved this connection to be; presence joins without channel_data use it.</summary>
    public PresenceMember? SignedInMember { get; set; }

    public override void Deliver(OutboundEvent evt) => Send(evt.Encode(PusherFrameEncoder.Instance));

    public override void Terminate() => Close(PusherCloseCodes.Unauthorized, "Connection terminated by the application");

    /// <summary>Draining: 4200 makes pusher-js reconnect at once (to another node, or to us after a restart).</summary>
    public override void Reconnect() => Close(PusherCloseCodes.Reconnect, "Server shutting down; reconnect");

    /// <summary>Queues one whole WebSocket frame (see <see cref="PusherFrames"/>).</summary>
    public void Send(byte[] frame)
    {
        switch (_outbox.Enqueue(frame))
        {
            case OutboxResult.Queued:
                _counters.Sent(WebSocketFrames.PayloadLength(frame)); // message bytes, as the hub and the receive side count
                break;
            case OutboxResult.Full when _outbox.Abort():
                // The client reads slower than we publish. A polite close would queue behind the
                // frames it is not reading, so the connection is cut; pusher-js reconnects.
                LogSlowConsumer(SocketId, AppId);
                _input.CancelPendingRead();
                break;
        }
    }

    /// <summary>Sends <c>pusher:error</c> with the code, then closes with it. 43xx codes are never close codes.</summary>
    public void Close(int code, string message, int? closeCode = null)
    {
        _outbox.Enqueue(PusherFrames.ErrorFrame(code, message));
        _outbox.EnqueueFinal(WebSocketFrames.Close(closeCode ?? code, message));
        _closeDeadline.Arm(_time, static input => ((PipeReader)input!).CancelPendingRead(), _input);
    }

    /// <summary>Seconds since the client last sent anything, and whether we pinged it since.</summary>
    public (TimeSpan Idle, TimeSpan? SincePing) Activity()
    {
        var now = _time.GetTimestamp();
        var pinged = Interlocked.Read(ref _pingSentAt);
        return (_time.GetElapsedTime(Interlocked.Read(ref _lastActivity), now), pinged == 0 ? null : _time.GetElapsedTime(pinged, now));
    }

    public void Ping()
    {
        Interlocked.Exchange(ref _pingSentAt, _time.GetTimestamp());
        Send(PusherFrames.PingFrame);
    }

    /// <summary>
    /// Receives until the client closes, the transport ends, or we stop reading (a close the client
    /// did not answer in time, a slow reader cut off); the dispatcher handles each text message.
    /// </summary>
    public Task RunAsync() => _reader.ReceiveAllAsync(this);

    async ValueTask<bool> IClientMessageHandler.HandleAsync(ClientMessage message)
    {
        switch (message.Kind)
        {
            case ClientMessageKind.Text or ClientMessageKind.Binary:
                Interlocked.Exchange(ref _lastActivity, _time.GetTimestamp());
                Interlocked.Exchange(ref _pingSentAt, 0);
                _counters.Received(message.Length);
                if (message.Kind == ClientMessageKind.Text) // binary frames are ignored (pusher-compat §4.2)
                    await _dispatcher.DispatchAsync(this, message.Payload);
                return true;
            case ClientMessageKind.TooBig:
                // The rest of the frame is never read: the connection is closed instead.
                Close(PusherCloseCodes.OverCapacity, $"Frame too large: at most {_reader.MaxMessageBytes} bytes", (int)WebSocketCloseStatus.MessageTooBig);
                return false;
            default:
                if (message.Kind == ClientMessageKind.Ping) // a WebSocket ping is activity too
                    Interlocked.Exchange(ref _lastActivity, _time.GetTimestamp());
                return _outbox.Answer(message);
        }
    }

    ValueTask IClientMessageHandler.OnEndedAsync()
    {
        _closeDeadline.Disarm();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pusher connection {SocketId} of app {AppId} aborted: it stopped reading")]
    private partial void LogSlowConsumer(string socketId, string appId);
}
