using Microsoft.AspNetCore.Http.Features;

namespace SkubberPush.Endpoints;

/// <summary>Reads a request body whole, up to a limit: a declared length over it is refused unread.</summary>
public static class BoundedBody
{
    /// <summary>The body, or null when it is over <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(HttpContext http, long limit)
    {
        if (http.Request.ContentLength > limit)
            return null;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = limit;
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                    return null;
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        return buffer.ToArray();
    }
}
