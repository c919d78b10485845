using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace SkubberPush.Observability;

/// <summary>
/// Renders the <c>SkubberPush</c> meter in the Prometheus text format (0.0.4), with a
/// <see cref="MeterListener"/>: counters and histograms are aggregated as they are recorded (they
/// are rare: HTTP calls and refusals), observable instruments are read when scraped.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<Instrument> _instruments = [];
    private readonly Dictionary<Instrument, Dictionary<string, double>> _sums = [];
    private readonly Dictionary<Instrument, Dictionary<string, HistogramState>> _histograms = [];
    private Dictionary<Instrument, Dictionary<string, double>>? _observed;

    public PrometheusExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != PushMetrics.MeterName)
                return;
            lock (_gate)
                _instruments.Add(instrument);
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
    }

    public string Scrape()
    {
        lock (_gate)
        {
            _observed = [];
            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            // Every instrument gets its HELP and TYPE lines, with or without series yet.
            foreach (var instrument in _instruments.OrderBy(i => i.Name, StringComparer.Ordinal))
            {
                if (instrument is Histogram<double>)
                {
                    Header(text, instrument, "histogram");
                    foreach (var (labels, state) in _histograms.GetValueOrDefault(instrument, []).OrderBy(p => p.Key, StringComparer.Ordinal))
                        state.Write(text, instrument.Name, labels);
                    continue;
                }
                Header(text, instrument, instrument is ObservableGauge<long> or ObservableGauge<double> or UpDownCounter<long> ? "gauge" : "counter");
                var series = (instrument.IsObservable ? _observed : _sums).GetValueOrDefault(instrument, []);
                foreach (var (labels, value) in series.OrderBy(p => p.Key, StringComparer.Ordinal))
                    text.Append(instrument.Name).Append(labels.Length == 0 ? "" : "{" + labels + "}").Append(' ').Append(Number(value)).Append('\n');
            }
            _observed = null;
            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        lock (_gate)
        {
            if (instrument.IsObservable)
            {
                if (_observed is not null)
                    Series(_observed, instrument)[labels] = value;
            }
            else if (instrument is Histogram<double> histogram)
            {
                var states = _histograms.TryGetValue(instrument, out var s) ? s : _histograms[instrument] = [];
                if (!states.TryGetValue(labels, out var state))
                    states[labels] = state = new HistogramState(histogram.Advice?.HistogramBucketBoundaries ?? [0.005, 0.01, 0.05, 0.1, 0.5, 1]);
                state.Add(value);
            }
            else
            {
                var series = Series(_sums, instrument);
                series[labels] = series.GetValueOrDefault(labels) + value;
            }
        }
    }

    private static Dictionary<string, double> Series(Dictionary<Instrument, Dictionary<string, double>> all, Instrument instrument) =>
        all.TryGetValue(instrument, out var series) ? series : all[instrument] = [];

    private static void Header(StringBuilder text, Instrument instrument, string type) =>
        text.Append("# HELP ").Append(instrument.Name).Append(' ').Append(instrument.Description).Append('\n')
            .Append("# TYPE ").Append(instrument.Name).Append(' ').Append(type).Append('\n');

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
            return "";
        var parts = new List<string>(tags.Length);
        foreach (var (key, value) in tags)
            parts.Add($"{key}=\"{Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")}\"");
        parts.Sort(StringComparer.Ordinal);
        return string.Join(',', parts);
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class HistogramState(IReadOnlyList<double> bounds)
    {
        private readonly long[] _counts = new long[bounds.Count];
        private long _count;
        private double _sum;

        public void Add(double value)
        {
            for (var i = 0; i < bounds.Count; i++)
                if (value <= bounds[i])
                    _counts[i]++;
            _count++;
            _sum += value;
        }

        public void Write(StringBuilder text, string name, string labels)
        {
            var prefix = labels.Length == 0 ? "" : labels + ",";
            for (var i = 0; i < bounds.Count; i++)
                text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"").Append(Number(bounds[i])).Append("\"} ").Append(_counts[i]).Append('\n');
            text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"+Inf\"} ").Append(_count).Append('\n');
            var suffix = labels.Length == 0 ? "" : "{" + labels + "}";
            text.Append(name).Append("_sum").Append(suffix).Append(' ').Append(Number(_sum)).Append('\n');
            text.Append(name).Append("_count").Append(suffix).Append(' ').Append(_count).Append('\n');
        }
    }
}
