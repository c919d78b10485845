using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace SkubberPush.Endpoints;

/// <summary>Reads a request body whole, up to a limit: a declared length over it is refused unread.</summary>
public static class BoundedBody
{
    /// <summary>
    /// The body, or null when it is over <paramref name="limit"/> bytes. It stays in the request's
    /// pipe until complete, then is copied once into an array of its exact size: no read buffer or
    /// growing stream per request.
    /// </summary>
    public static async Task<byte[]?> ReadAsync(HttpContext http, long limit)
    {
        if (http.Request.ContentLength > limit)
            return null;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = limit;
        var body = http.Request.BodyReader;
        try
        {
            while (true)
            {
                var read = await body.ReadAsync(http.RequestAborted);
                var buffer = read.Buffer;
                if (buffer.Length > limit)
                {
                    body.AdvanceTo(buffer.Start, buffer.End);
                    return null;
                }
                if (read.IsCompleted)
                {
                    var whole = buffer.ToArray();
                    body.AdvanceTo(buffer.End);
                    return whole;
                }
                body.AdvanceTo(buffer.Start, buffer.End); // nothing consumed until the whole body is in
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }
}
