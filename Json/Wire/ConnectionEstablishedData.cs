using System.Text.Json.Serialization;

namespace SkubberPush.Json.Wire;

public sealed record ConnectionEstablishedData(
    [property: JsonPropertyName("socket_id")] string SocketId,
    [property: JsonPropertyName("activity_timeout")] int ActivityTimeout);
