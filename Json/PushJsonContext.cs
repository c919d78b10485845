using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using SkubberPush.Json.Rest;
using SkubberPush.Json.Wire;

namespace SkubberPush.Json;

/// <summary>
/// Every type that crosses the wire, in one source-generated context (the generator failed when
/// the attributes were split across partial declarations). Wire names live on the types because
/// the HTTP and SignalR resolver chains apply their own naming policy over this context's.
/// </summary>
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(EventRequest))]
[JsonSerializable(typeof(BatchRequest))]
[JsonSerializable(typeof(TriggerResponse))]
[JsonSerializable(typeof(BatchResponse))]
[JsonSerializable(typeof(ChannelsResponse))]
[JsonSerializable(typeof(ChannelInfoResponse))]
[JsonSerializable(typeof(CachedChannelInfoResponse))]
[JsonSerializable(typeof(UsersResponse))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(PresenceRosterData))]
[JsonSerializable(typeof(MemberAddedData))]
[JsonSerializable(typeof(MemberRemovedData))]
[JsonSerializable(typeof(SubscriptionErrorData))]
[JsonSerializable(typeof(PusherFrame))]
[JsonSerializable(typeof(PusherErrorFrame))]
[JsonSerializable(typeof(PusherClientFrame))]
[JsonSerializable(typeof(SubscribeData))]
[JsonSerializable(typeof(SigninData))]
[JsonSerializable(typeof(SigninSuccessData))]
[JsonSerializable(typeof(ConnectionEstablishedData))]
[JsonSerializable(typeof(NegotiateResponse))]
[JsonSerializable(typeof(WebhookBody))]
[JsonSerializable(typeof(Webhooks.WebhookDelivery[]))]
[JsonSerializable(typeof(Apps.AppView))]
[JsonSerializable(typeof(Apps.AppView[]))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
internal sealed partial class PushJsonContext : JsonSerializerContext
{
    /// <summary>
    /// For frames and payloads we write ourselves: keeps <c>"</c> inside <c>data</c> as <c>\"</c>
    /// rather than <c>\u0022</c>, like Pusher. These bytes go to JSON parsers, never into HTML.
    /// </summary>
    public static PushJsonContext Wire { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
