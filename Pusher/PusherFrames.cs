using System.Text.Json;
using SkubberPush.Channels;
using SkubberPush.Json;
using SkubberPush.Json.Wire;
using SkubberPush.Sockets;

namespace SkubberPush.Pusher;

/// <summary>
/// Server → client messages as whole WebSocket frames (<see cref="WebSocketFrames"/>), their JSON
/// built through the source-generated context.
/// </summary>
public static class PusherFrames
{
    public const string ConnectionEstablished = "pusher:connection_established";
    public const string Error = "pusher:error";
    public const string Ping = "pusher:ping";
    public const string Pong = "pusher:pong";
    public const string Subscribe = "pusher:subscribe";
    public const string Unsubscribe = "pusher:unsubscribe";
    public const string Signin = "pusher:signin";
    public const string SigninSuccess = "pusher:signin_success";

    public static byte[] PingFrame { get; } = Frame(Ping, null, "{}");
    public static byte[] PongFrame { get; } = Frame(Pong, null, "{}");

    public static byte[] Frame(string eventName, string? channel, string? data, string? userId = null) =>
        WebSocketFrames.Text(JsonSerializer.SerializeToUtf8Bytes(new PusherFrame(eventName, channel, data, userId), PushJsonContext.Wire.PusherFrame));

    public static byte[] ErrorFrame(int? code, string message, string? channel = null) =>
        WebSocketFrames.Text(JsonSerializer.SerializeToUtf8Bytes(new PusherErrorFrame(Error, channel, new PusherErrorData(code, message)), PushJsonContext.Wire.PusherErrorFrame));

    public static byte[] Established(string socketId, int activityTimeout) =>
        Frame(ConnectionEstablished, null, JsonSerializer.Serialize(new ConnectionEstablishedData(socketId, activityTimeout), PushJsonContext.Wire.ConnectionEstablishedData));

    public static byte[] SigninSucceeded(string userData) =>
        Frame(SigninSuccess, null, JsonSerializer.Serialize(new SigninSuccessData(userData), PushJsonContext.Wire.SigninSuccessData));

    public static byte[] SubscriptionFailed(string channel, SubscriptionFailure failure) =>
        Frame(InternalEvents.SubscriptionError, channel, JsonSerializer.Serialize(new SubscriptionErrorData(failure.Type, failure.Message, failure.Status), PushJsonContext.Wire.SubscriptionErrorData));

    /// <summary>Client text echoed in errors is clipped: a 1 MB channel name must not come back as a 1 MB error.</summary>
    public static string Clip(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
