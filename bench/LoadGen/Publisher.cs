using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SkubberPush.Bench;

/// <summary>Publishes bench events over the REST API (header auth), ten per batch request.</summary>
public sealed class Publisher(Uri server, string appId, string key, string secret)
{
    private readonly HttpClient _http = new() { BaseAddress = server };
    private static readonly string Padding = new('x', 80);

    public async Task PublishAsync(IReadOnlyList<string> channels)
    {
        foreach (var request in Requests(channels))
        {
            using (request)
            using (var response = await _http.SendAsync(request))
                response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>
    /// The same, with blocking I/O on the calling thread: a burst publisher on a thread of its own
    /// is not queued behind the thousands of receive continuations in this process's thread pool.
    /// </summary>
    public void Publish(IReadOnlyList<string> channels)
    {
        foreach (var request in Requests(channels))
        {
            using (request)
            using (var response = _http.Send(request))
                response.EnsureSuccessStatusCode();
        }
    }

    private IEnumerable<HttpRequestMessage> Requests(IReadOnlyList<string> channels)
    {
        for (var start = 0; start < channels.Count; start += 10)
        {
            var items = channels.Skip(start).Take(10).Select(c => new Dictionary<string, string>
            {
                ["name"] = BenchClient.BenchEvent, ["channel"] = c, ["data"] = $"{{\"t:{Stopwatch.GetTimestamp()}\":\"{Padding}\"}}",
            });
            var request = new HttpRequestMessage(HttpMethod.Post, $"/apps/{appId}/batch_events")
            {
                Content = new StringContent(JsonSerializer.Serialize(new { batch = items }), Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Api-Key", key);
            request.Headers.Add("X-Api-Secret", secret);
            yield return request;
        }
    }

    public async Task<string> TokenAsync()
    {
        var response = await _http.PostAsJsonAsync("/api/auth/signalr-token", new { apiKey = key, apiSecret = secret, expiresIn = 86_400 });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }
}
