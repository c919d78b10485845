using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SkubberPush.Apps;
using SkubberPush.Auth;
using SkubberPush.Channels;
using SkubberPush.Json;
using SkubberPush.Json.Wire;
using SkubberPush.Limits;

namespace SkubberPush.Pusher;

/// <summary>
/// Handles one client frame of the Pusher protocol (pusher-compat §4, §6). Every refusal is a
/// frame for this connection only: <c>pusher:error</c>, plus <c>pusher:subscription_error</c> for
/// subscriptions; the connection stays open unless the app itself is gone.
/// </summary>
public sealed class PusherDispatcher(AppCatalog catalog, ChannelRegistry registry, ClientEventGate clientEvents)
{
    public async ValueTask DispatchAsync(PusherConnection connection, ReadOnlyMemory<byte> message)
    {
        PusherClientFrame? frame;
        try
        {
            frame = JsonSerializer.Deserialize(message.Span, PushJsonContext.Wire.PusherClientFrame);
        }
        catch (JsonException)
        {
            connection.Send(PusherFrames.ErrorFrame(null, "Invalid message: not a JSON object"));
            return;
        }
        if (frame?.Event is not { Length: > 0 } eventName)
        {
            connection.Send(PusherFrames.ErrorFrame(null, "Invalid message: no event"));
            return;
        }
        if (!catalog.TryGetById(connection.AppId, out var app) || !app.Enabled)
        {
            connection.Close(PusherCloseCodes.AppDisabled, "Application disabled");
            return;
        }
        switch (eventName)
        {
            case PusherFrames.Ping:
                connection.Send(PusherFrames.PongFrame);
                break;
            case PusherFrames.Pong:
                break; // receiving it already counted as activity
            case PusherFrames.Subscribe:
                Subscribe(connection, app, frame.Data);
                break;
            case PusherFrames.Unsubscribe:
                if (ReadData(frame.Data, PushJsonContext.Wire.SubscribeData)?.Channel is { } channel)
                    registry.For(app.Id).Unsubscribe(connection, channel);
                break;
            case PusherFrames.Signin:
                Signin(connection, app, frame.Data);
                break;
            case var name when EventName.IsClientEvent(name):
                await ClientEventAsync(connection, app, frame);
                break;
            default:
                connection.Send(PusherFrames.ErrorFrame(null, $"Unsupported event '{Clip(eventName)}'"));
                break;
        }
    }

    private void Subscribe(PusherConnection connection, PushApp app, JsonElement? rawData)
    {
        var data = ReadData(rawData, PushJsonContext.Wire.SubscribeData);
        if (data?.Channel is not { } channel)
        {
            connection.Send(PusherFrames.ErrorFrame(null, "pusher:subscribe needs data.channel"));
            return;
        }
        if (!ChannelName.TryParse(channel, out var name, out var invalid))
        {
            Refuse(connection, Clip(channel), SubscriptionFailure.InvalidChannel(invalid));
            return;
        }
        if (ChannelAuthorizer.BySignature(app, connection.SocketId, name, data.Auth, data.ChannelData, connection.SignedInMember, out var member) is { } failure)
        {
            Refuse(connection, channel, failure);
            return;
        }
        if (name.Kind == ChannelKind.ServerToUser)
        {
            // Delivery is by signed-in user already; the subscription is only acknowledged.
            connection.Send(PusherFrames.Frame(InternalEvents.SubscriptionSucceeded, channel, "{}"));
            return;
        }
        if (registry.For(app.Id).Subscribe(connection, name, member, app.Limits.MaxPresenceMembers) == SubscribeOutcome.PresenceFull)
            Refuse(connection, channel, SubscriptionFailure.PresenceFull(channel, app.Limits.MaxPresenceMembers));
    }

    // Laravel Echo listens for subscription_error, Pusher's own clients for pusher:error: send both.
    private static void Refuse(PusherConnection connection, string channel, SubscriptionFailure failure)
    {
        connection.Send(PusherFrames.SubscriptionFailed(channel, failure));
        connection.Send(PusherFrames.ErrorFrame(null, failure.Message, channel));
    }

    private void Signin(PusherConnection connection, PushApp app, JsonElement? rawData)
    {
        var data = ReadData(rawData, PushJsonContext.Wire.SigninData);
        if (data is not { Auth: { } auth, UserData: { } userData })
        {
            connection.Send(PusherFrames.ErrorFrame(PusherCloseCodes.Unauthorized, "pusher:signin needs auth and user_data"));
            return;
        }
        if (!PusherSignature.VerifyAuth(app.Key, Encoding.UTF8.GetBytes(app.Secret), auth, PusherSignature.UserStringToSign(connection.SocketId, userData), out var error))
        {
            connection.Send(PusherFrames.ErrorFrame(PusherCloseCodes.Unauthorized, error));
            return;
        }
        if (UserDataParser.TryParse(userData, app.Limits.MaxUserInfoBytes, out var member, out var invalid) is false)
        {
            connection.Send(PusherFrames.ErrorFrame(PusherCloseCodes.Unauthorized, invalid));
            return;
        }
        if (connection.UserId is { } current && current != member!.UserId)
        {
            connection.Send(PusherFrames.ErrorFrame(PusherCloseCodes.Unauthorized, $"Already signed in as {current}"));
            return;
        }
        registry.For(app.Id).SignIn(connection, member!.UserId);
        connection.SignedInMember = member;
        connection.Send(PusherFrames.SigninSucceeded(userData));
    }

    private async ValueTask ClientEventAsync(PusherConnection connection, PushApp app, PusherClientFrame frame)
    {
        // pusher-js passes the payload as an object; it is relayed as compact JSON text, a string as is.
        var data = frame.Data switch
        {
            { ValueKind: JsonValueKind.String } s => s.GetString()!,
            { } element => JsonSerializer.Serialize(element, PushJsonContext.Wire.JsonElement),
            null => "{}",
        };
        if (await clientEvents.SendAsync(app, connection, frame.Channel ?? "", frame.Event!, data) is { } rejected)
            connection.Send(PusherFrames.ErrorFrame(rejected.Code, rejected.Message, frame.Channel is null ? null : Clip(frame.Channel)));
    }

    /// <summary>Client data is an object, or a string holding one; anything else reads as missing.</summary>
    private static T? ReadData<T>(JsonElement? data, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return data switch
            {
                { ValueKind: JsonValueKind.Object } element => element.Deserialize(type),
                { ValueKind: JsonValueKind.String } element => JsonSerializer.Deserialize(element.GetString()!, type),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Clip(string text) => PusherFrames.Clip(text, 200);
}
