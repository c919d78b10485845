using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Security.Claims;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using SkubberPush.Auth;
using SkubberPush.Sockets;

namespace SkubberPush.Hubs;

/// <summary>
/// A hub connection on a socket taken over before the HTTP pipeline (see <see cref="SocketTakeoverMiddleware"/>),
/// as SignalR's <c>HubConnectionHandler</c> sees it: a connection whose transport carries hub
/// messages. Client frames are read from Kestrel's pipe by a <see cref="ClientFrameReader"/> and
/// their payloads handed to the hub; what the hub writes leaves as frames through the connection's
/// <see cref="FrameOutbox"/>, where its <see cref="HubSocketSubscriber"/> queues event frames too, so
/// everything reaches the client in the order it was queued. Kestrel's connection heartbeat drives
/// SignalR's keep-alive pings and client timeout, as it does for any Kestrel connection.
/// </summary>
public sealed class HubSocket : ConnectionContext, IDuplexPipe, IFeatureCollection, IClientMessageHandler, IConnectionItemsFeature, IConnectionUserFeature,
    ITransferFormatFeature, IConnectionLifetimeFeature, IConnectionTransportFeature
{
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());
    private static readonly PipeOptions ToHubOptions = new(useSynchronizationContext: false);

    private readonly ConnectionContext _kestrel;
    private readonly PipeReader _input;
    private readonly ClientFrameReader _reader;
    // Client messages on their way to the hub; SignalR reads them as from any transport.
    private readonly Pipe _toHub = new(ToHubOptions);
    private readonly TimeProvider _time;
    private CloseDeadline _closeDeadline;
    private FeatureCollection? _setFeatures; // any feature SignalR sets; none so far

    public HubSocket(ConnectionContext kestrel, string connectionId, FrameOutbox outbox, int maxMessageBytes, HubIdentity identity, TimeProvider time)
    {
        _kestrel = kestrel;
        _input = kestrel.Transport.Input;
        _reader = new ClientFrameReader(_input, maxMessageBytes);
        _time = time;
        Outbox = outbox;
        Identity = identity;
        Output = new HubSocketWriter(this);
        ConnectionId = connectionId;
    }

    /// <summary>Who was admitted; the hub reads it here rather than from claims.</summary>
    public HubIdentity Identity { get; }

    /// <summary>Everything to the client leaves through here, in order.</summary>
    public FrameOutbox Outbox { get; }

    public override string ConnectionId { get; set; }
    public override IFeatureCollection Features => this;
    public override IDictionary<object, object?> Items { get; set; } = new ConnectionItems();
    public override IDuplexPipe Transport { get => this; set => throw new NotSupportedException(); }
    public override CancellationToken ConnectionClosed { get => _kestrel.ConnectionClosed; set => throw new NotSupportedException(); }
    // SignalR keeps the principal for the connection's lifetime; the admitted identity is
    // Identity, and nothing asks SignalR for users (users are the channel core's), so it gets none.
    public ClaimsPrincipal? User { get => Anonymous; set { } }
    public TransferFormat SupportedFormats => TransferFormat.Text | TransferFormat.Binary;
    public TransferFormat ActiveFormat { get; set; } = TransferFormat.Text;

    public PipeReader Input => _toHub.Reader;
    public PipeWriter Output { get; }

    /// <summary>The hub's writes, framed by the protocol in use (text for JSON, binary for MessagePack).</summary>
    public void Send(ReadOnlySpan<byte> messages)
    {
        if (Outbox.Enqueue(WebSocketFrames.Message(messages, ActiveFormat == TransferFormat.Binary)) == Channels.OutboxResult.Full)
            Cut();
    }

    /// <summary>A client too far behind: what is queued is dropped and the connection ends.</summary>
    public void Cut()
    {
        Outbox.Abort();
        StopReading();
    }

    /// <summary>Closes the WebSocket (1000) and gives the client a while to answer before reading stops.</summary>
    public void Close()
    {
        Outbox.EnqueueFinal(WebSocketFrames.NormalClose);
        _closeDeadline.Arm(_time, static socket => ((HubSocket)socket!).StopReading(), this);
    }

    /// <summary>
    /// SignalR ends the connection: nothing more is read, so the hub's input ends; what it queued
    /// before (a close message, say) still leaves, followed by the WebSocket close.
    /// </summary>
    public override void Abort(ConnectionAbortedException abortReason) => StopReading();

    void IConnectionLifetimeFeature.Abort() => Abort(new ConnectionAbortedException());

    private void StopReading()
    {
        _input.CancelPendingRead();
        _toHub.Writer.CancelPendingFlush();
    }

    /// <summary>
    /// Passes the client's messages to the hub until the client closes, the transport ends, or
    /// reading stops; then the hub sees its input end.
    /// </summary>
    public Task ReceiveAsync() => _reader.ReceiveAllAsync(this);

    async ValueTask<bool> IClientMessageHandler.HandleAsync(ClientMessage message)
    {
        switch (message.Kind)
        {
            case ClientMessageKind.Text or ClientMessageKind.Binary:
                var flushed = await _toHub.Writer.WriteAsync(message.Payload);
                return !flushed.IsCanceled && !flushed.IsCompleted;
            case ClientMessageKind.TooBig:
                // The rest of the frame is never read: the connection is closed instead.
                Outbox.EnqueueFinal(WebSocketFrames.Close((int)WebSocketCloseStatus.MessageTooBig, $"Message too large: at most {_reader.MaxMessageBytes} bytes"));
                return false;
            default:
                return Outbox.Answer(message);
        }
    }

    async ValueTask IClientMessageHandler.OnEndedAsync()
    {
        await _toHub.Writer.CompleteAsync();
        _closeDeadline.Disarm();
    }

    // Features: ours, then any set on the connection, then Kestrel's (heartbeat, socket, endpoints).
    // Implemented here rather than with a FeatureCollection: no dictionary per connection.
    private static readonly Type[] OwnFeatures = [typeof(HubSocket), typeof(IConnectionItemsFeature), typeof(IConnectionUserFeature),
        typeof(ITransferFormatFeature), typeof(IConnectionLifetimeFeature), typeof(IConnectionTransportFeature)];

    object? IFeatureCollection.this[Type key]
    {
        get => Array.IndexOf(OwnFeatures, key) >= 0 ? this : _setFeatures?[key] ?? _kestrel.Features[key];
        set => (_setFeatures ??= new FeatureCollection())[key] = value;
    }

    TFeature? IFeatureCollection.Get<TFeature>() where TFeature : default => (TFeature?)((IFeatureCollection)this)[typeof(TFeature)];

    void IFeatureCollection.Set<TFeature>(TFeature? instance) where TFeature : default => ((IFeatureCollection)this)[typeof(TFeature)] = instance;

    bool IFeatureCollection.IsReadOnly => false;

    int IFeatureCollection.Revision => _kestrel.Features.Revision + (_setFeatures?.Revision ?? 0);

    IEnumerator<KeyValuePair<Type, object>> IEnumerable<KeyValuePair<Type, object>>.GetEnumerator()
    {
        foreach (var type in OwnFeatures)
            yield return new(type, this);
        foreach (var feature in (IEnumerable<KeyValuePair<Type, object>>?)_setFeatures ?? [])
            yield return feature;
        foreach (var feature in _kestrel.Features)
            if (Array.IndexOf(OwnFeatures, feature.Key) < 0 && _setFeatures?[feature.Key] is null)
                yield return feature;
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => ((IEnumerable<KeyValuePair<Type, object>>)this).GetEnumerator();

    public override async ValueTask DisposeAsync()
    {
        await _toHub.Reader.CompleteAsync();
        await Output.CompleteAsync();
    }
}
