using System.Text.Json.Serialization;

namespace SkubberPush.Json.Rest;

public sealed record HealthResponse([property: JsonPropertyName("status")] string Status);
