using System.Text.Json.Serialization;

namespace SkubberPush.Json.Wire;

/// <summary>What we read of SignalR's <c>/push/negotiate</c> answer: the ids of the connection it set up.</summary>
public sealed record NegotiateResponse(
    [property: JsonPropertyName("connectionId")] string? ConnectionId,
    [property: JsonPropertyName("connectionToken")] string? ConnectionToken);
