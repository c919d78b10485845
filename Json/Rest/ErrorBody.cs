using System.Text.Json.Serialization;

namespace SkubberPush.Json.Rest;

/// <summary>Every REST failure answers with this body and a 4xx status.</summary>
public sealed record ErrorBody([property: JsonPropertyName("error")] string Error);
