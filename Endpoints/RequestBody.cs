using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SkubberPush.Endpoints;

/// <summary>Reads a JSON body already buffered by <see cref="AppAuthFilter"/>: bad JSON is a 400, never a 500.</summary>
public static class RequestBody
{
    public static T? Parse<T>(byte[] body, JsonTypeInfo<T> type, out ApiError? error) where T : class
    {
        error = null;
        if (body.Length == 0)
        {
            error = ApiError.BadRequest("Request body must be a JSON object");
            return null;
        }
        try
        {
            var value = JsonSerializer.Deserialize(body, type);
            if (value is null)
                error = ApiError.BadRequest("Request body must be a JSON object");
            return value;
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } path ? $" at {path}" : "";
            error = ApiError.BadRequest($"Invalid JSON{where}: {Describe(e)}");
            return null;
        }
    }

    // The serializer's own text names internal types; say what the caller can act on.
    private static string Describe(JsonException e) =>
        e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)
            ? "the value has the wrong type"
            : e.Message.IndexOf(" Path:", StringComparison.Ordinal) is var end and > 0 ? e.Message[..end] : e.Message;
}
