using SkubberPush.Apps;

namespace SkubberPush.Webhooks;

/// <summary>
/// The durable queue of webhook requests, in the key file: a request is written here before it is
/// sent, so a crash, a restart or a receiver that is down loses nothing. Statuses: pending,
/// delivered, dead (the retry window ran out; <c>apps webhooks ID --replay</c> revives them).
/// </summary>
public sealed class WebhookOutbox(AppStore store)
{
    public string Enqueue(string appId, string url, string body, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now).ToString("N");
        store.Execute("INSERT INTO webhook_outbox (id, app_id, url, body, created_at, next_attempt_at) VALUES ($id, $app, $url, $body, $now, $now)",
            ("$id", id), ("$app", appId), ("$url", url), ("$body", body), ("$now", now.ToUnixTimeMilliseconds()));
        return id;
    }

    /// <summary>Pending requests whose next attempt is due, oldest first.</summary>
    public List<WebhookDelivery> Due(DateTimeOffset now, int limit) =>
        Query("WHERE status = 'pending' AND next_attempt_at <= $now ORDER BY next_attempt_at, id LIMIT $limit", ("$now", now.ToUnixTimeMilliseconds()), ("$limit", limit));

    public void MarkDelivered(string id, int status, int latencyMs, DateTimeOffset now) =>
        store.Execute("UPDATE webhook_outbox SET status = 'delivered', attempts = attempts + 1, last_status = $status, last_error = NULL, last_latency_ms = $latency, completed_at = $now WHERE id = $id",
            ("$id", id), ("$status", status), ("$latency", latencyMs), ("$now", now.ToUnixTimeMilliseconds()));

    /// <summary>Records a failed attempt; the request is retried at <paramref name="nextAttempt"/>, or is dead when that is null.</summary>
    public void MarkFailed(string id, int? status, string error, int latencyMs, DateTimeOffset? nextAttempt, DateTimeOffset now) =>
        store.Execute("UPDATE webhook_outbox SET attempts = attempts + 1, last_status = $status, last_error = $error, last_latency_ms = $latency, " +
                "status = CASE WHEN $next IS NULL THEN 'dead' ELSE 'pending' END, next_attempt_at = COALESCE($next, next_attempt_at), " +
                "completed_at = CASE WHEN $next IS NULL THEN $now ELSE NULL END WHERE id = $id",
            ("$id", id), ("$status", (object?)status ?? DBNull.Value), ("$error", error), ("$latency", latencyMs),
            ("$next", (object?)nextAttempt?.ToUnixTimeMilliseconds() ?? DBNull.Value), ("$now", now.ToUnixTimeMilliseconds()));

    public List<WebhookDelivery> Recent(string appId, int limit) =>
        Query("WHERE app_id = $app ORDER BY created_at DESC, id DESC LIMIT $limit", ("$app", appId), ("$limit", limit));

    public List<WebhookDelivery> DeadLetters(string appId) =>
        Query("WHERE app_id = $app AND status = 'dead' ORDER BY created_at, id", ("$app", appId));

    /// <summary>Dead requests go back to pending with a fresh retry window; returns how many.</summary>
    public int Replay(string appId, DateTimeOffset now) =>
        store.Execute("UPDATE webhook_outbox SET status = 'pending', attempts = 0, created_at = $now, next_attempt_at = $now, completed_at = NULL WHERE app_id = $app AND status = 'dead'",
            ("$app", appId), ("$now", now.ToUnixTimeMilliseconds()));

    /// <summary>Forgets delivered requests older than <paramref name="before"/>; pending and dead ones stay.</summary>
    public int Prune(DateTimeOffset before) =>
        store.Execute("DELETE FROM webhook_outbox WHERE status = 'delivered' AND completed_at < $before", ("$before", before.ToUnixTimeMilliseconds()));

    public int PendingCount() => Convert.ToInt32(store.Scalar("SELECT COUNT(*) FROM webhook_outbox WHERE status = 'pending'"), System.Globalization.CultureInfo.InvariantCulture);

    private List<WebhookDelivery> Query(string where, params (string Name, object Value)[] parameters)
    {
        using var connection = store.Open();
        using var command = AppStore.Command(connection,
            "SELECT id, app_id, url, status, attempts, created_at, last_status, last_error, last_latency_ms, body FROM webhook_outbox " + where, parameters);
        using var r = command.ExecuteReader();
        var list = new List<WebhookDelivery>();
        while (r.Read())
            list.Add(new WebhookDelivery(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)), r.IsDBNull(6) ? null : r.GetInt32(6),
                r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetInt32(8), r.GetString(9)));
        return list;
    }
}
