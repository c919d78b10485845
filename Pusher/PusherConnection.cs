using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using SkubberPush.Channels;
using SkubberPush.Observability;

namespace SkubberPush.Pusher;

/// <summary>
/// One Pusher protocol WebSocket. Publishers only enqueue bytes into a bounded outbox; one send
/// loop writes them in order (a WebSocket allows one send at a time), so a slow reader delays no
/// one else and is closed once it falls <see cref="PusherOptions.OutboxCapacity"/> frames behind.
/// The receive loop waits with a zero-byte read, so an idle connection holds no receive buffer.
/// </summary>
public sealed partial class PusherConnection : Subscriber
{
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    private readonly WebSocket _socket;
    private readonly CoalescingStream? _coalescing;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TransportCounters _counters;
    private readonly CancellationTokenSource _lifetime = new();
    // Items are frames (byte[]) or a CloseRequest, which ends the loop.
    private readonly Channel<object> _outbox;
    private long _lastActivity;
    private long _pingSentAt;

    public PusherConnection(string socketId, string appId, WebSocket socket, CoalescingStream? coalescing, int outboxCapacity,
        TransportCounters counters, TimeProvider time, ILogger logger) : base(socketId)
    {
        AppId = appId;
        _coalescing = coalescing;
        _counters = counters;
        _socket = socket;
        _time = time;
        _logger = logger;
        _lastActivity = time.GetTimestamp();
        _outbox = Channel.CreateBounded<object>(new BoundedChannelOptions(outboxCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public string AppId { get; }

    /// <summary>Who <c>pusher:signin</c> proved this connection to be; presence joins without channel_data use it.</summary>
    public PresenceMember? SignedInMember { get; set; }

    public override void Deliver(OutboundEvent evt) => Send(evt.Encode(PusherFrameEncoder.Instance));

    public override void Terminate() => Close(PusherCloseCodes.Unauthorized, "Connection terminated by the application");

    /// <summary>Draining: 4200 makes pusher-js reconnect at once (to another node, or to us after a restart).</summary>
    public override void Reconnect() => Close(PusherCloseCodes.Reconnect, "Server shutting down; reconnect");

    public void Send(byte[] frame)
    {
        if (_outbox.Writer.TryWrite(frame))
            return;
        // Full: the client reads slower than we publish. Closing politely would need the very send
        // slot it is blocking, so the socket is aborted; pusher-js reconnects.
        if (_outbox.Writer.TryComplete())
        {
            LogSlowConsumer(SocketId, AppId);
            _socket.Abort();
            _lifetime.Cancel();
        }
    }

    /// <summary>Sends <c>pusher:error</c> with the code, then closes with it. 43xx codes are never close codes.</summary>
    public void Close(int code, string message, int? closeCode = null)
    {
        _outbox.Writer.TryWrite(PusherFrames.ErrorFrame(code, message));
        if (_outbox.Writer.TryWrite(new CloseRequest(closeCode ?? code, message)))
            _outbox.Writer.TryComplete();
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

    /// <summary>Runs both loops until the socket closes; <paramref name="dispatch"/> handles each text frame.</summary>
    public async Task RunAsync(Func<PusherConnection, ReadOnlyMemory<byte>, ValueTask> dispatch, int maxFrameBytes, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        var sending = SendLoopAsync(linked.Token);
        try
        {
            await ReceiveLoopAsync(dispatch, maxFrameBytes, linked.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The peer went away or we aborted; cleanup follows either way.
        }
        finally
        {
            _outbox.Writer.TryComplete();
            if (_socket.State == WebSocketState.CloseReceived)
                await CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure, "");
            _lifetime.CancelAfter(CloseHandshakeTimeout);
            await sending;
        }
    }

    private async Task ReceiveLoopAsync(Func<PusherConnection, ReadOnlyMemory<byte>, ValueTask> dispatch, int maxFrameBytes, CancellationToken cancellationToken)
    {
        while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            var peek = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            if (peek.MessageType == WebSocketMessageType.Close)
                return;
            var buffer = ArrayPool<byte>.Shared.Rent(maxFrameBytes + 1);
            try
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    length += result.Count;
                }
                while (!result.EndOfMessage && length <= maxFrameBytes);
                if (result.MessageType == WebSocketMessageType.Close)
                    return;
                Interlocked.Exchange(ref _lastActivity, _time.GetTimestamp());
                _counters.Received(length);
                Interlocked.Exchange(ref _pingSentAt, 0);
                if (length > maxFrameBytes)
                {
                    // The rest of the frame is never read: the connection is closed instead.
                    Close(PusherCloseCodes.OverCapacity, $"Frame too large: at most {maxFrameBytes} bytes", (int)WebSocketCloseStatus.MessageTooBig);
                    return;
                }
                if (result.MessageType == WebSocketMessageType.Text) // binary frames are ignored (pusher-compat §4.2)
                    await dispatch(this, buffer.AsMemory(0, length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        var reader = _outbox.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                // Everything queued goes out in one write (see CoalescingStream).
                _coalescing?.BeginBatch();
                while (reader.TryRead(out var item))
                {
                    if (item is byte[] frame)
                    {
                        await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                        _counters.Sent(frame.Length);
                        continue;
                    }
                    var close = (CloseRequest)item;
                    await CloseQuietlyAsync((WebSocketCloseStatus)close.Code, close.Reason);
                    _lifetime.CancelAfter(CloseHandshakeTimeout); // the client has this long to answer the close
                    return;
                }
                if (_coalescing is not null)
                    await _coalescing.FlushBufferAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            _socket.Abort();
        }
    }

    private async Task CloseQuietlyAsync(WebSocketCloseStatus status, string reason)
    {
        try
        {
            if (_coalescing is not null)
                await _coalescing.FlushBufferAsync(CancellationToken.None); // frames of the batch first
            await _socket.CloseOutputAsync(status, PusherFrames.CloseReason(reason), CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    private sealed record CloseRequest(int Code, string Reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pusher connection {SocketId} of app {AppId} aborted: it stopped reading")]
    private partial void LogSlowConsumer(string socketId, string appId);
}
