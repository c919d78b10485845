using System.Net;
using System.Text;
using SkubberPush.Channels;
using SkubberPush.Tests.Infrastructure;

namespace SkubberPush.Tests.Endpoints;

public sealed class EventsEndpointsTests(PushServerFactory factory) : ApiTestBase(factory)
{
    [Fact]
    public async Task Trigger_reaches_subscribers_of_every_channel_except_socket_id()
    {
        var a = Unique("a-");
        var b = Unique("b-");
        var onA = Subscribe(a, "1.1");
        var onB = Subscribe(b, "1.2");
        var excluded = Subscribe(b, "1.3");
        var response = await Api.PostAsync("/apps/1001/events",
            Json($$"""{"name":"created","data":"{\"n\":1}","channels":["{{a}}","{{b}}","{{a}}"],"socket_id":"1.3"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        Assert.Single(onA.Received, e => e.Event == "created"); // duplicates collapse to one delivery
        Assert.Equal("{\"n\":1}", onB.Last("created").Data);
        Assert.DoesNotContain(excluded.Received, e => e.Event == "created");
    }

    [Fact]
    public async Task Object_data_is_forwarded_as_compact_json_text()
    {
        var channel = Unique("c-");
        var subscriber = Subscribe(channel);
        await Api.PostAsync("/apps/1001/events", Json("""{"name":"e","channel":"CH","data":{ "a" : [1, 2] } }""".Replace("CH", channel)));
        Assert.Equal("{\"a\":[1,2]}", subscriber.Last("e").Data);
    }

    [Fact]
    public async Task Info_reports_counts_per_channel_and_only_where_they_apply()
    {
        var room = Unique("presence-");
        var plain = Unique("plain-");
        Subscribe(room, "1.1", new PresenceMember("u-1", null));
        Subscribe(room, "1.2", new PresenceMember("u-1", null));
        Subscribe(room, "1.3", new PresenceMember("u-2", null));
        var response = await Api.PostAsync("/apps/1001/events",
            Json($$"""{"name":"e","data":"x","channels":["{{room}}","{{plain}}"],"info":"user_count,subscription_count,bogus"}"""));
        Assert.Equal(
            """{"channels":{"ROOM":{"user_count":2,"subscription_count":3},"PLAIN":{"subscription_count":0}}}""".Replace("ROOM", room).Replace("PLAIN", plain),
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Batch_delivers_every_event_and_answers_index_aligned()
    {
        var channel = Unique("batch-");
        var subscriber = Subscribe(channel);
        var response = await Api.PostAsync("/apps/1001/batch_events", Json($$"""
            {"batch":[
              {"name":"one","channel":"{{channel}}","data":"1","info":"subscription_count"},
              {"name":"two","channels":["{{channel}}"],"data":"2"}
            ]}
            """));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"batch":[{"subscription_count":1},{}]}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(["pusher_internal:subscription_succeeded", "one", "two"], subscriber.EventNames());
    }

    [Fact]
    public async Task Batch_is_all_or_nothing()
    {
        var channel = Unique("batch-");
        var subscriber = Subscribe(channel);
        var response = await Api.PostAsync("/apps/1001/batch_events", Json($$"""
            {"batch":[{"name":"ok","channel":"{{channel}}","data":"1"},{"name":"bad","channel":"has space","data":"2"}]}
            """));
        await AssertError(response, HttpStatusCode.BadRequest, "batch[1]: Invalid channel name");
        Assert.Equal(["pusher_internal:subscription_succeeded"], subscriber.EventNames());
    }

    [Theory]
    [InlineData("{not json", "Invalid JSON")]
    [InlineData("[1,2]", "Invalid JSON")]
    [InlineData("", "must be a JSON object")]
    [InlineData("""{"name":5,"channel":"c","data":"x"}""", "Invalid JSON at $.name: the value has the wrong type")]
    [InlineData("""{"name":"e","channel":"c","data":"x","channels":"c"}""", "Invalid JSON at $.channels")]
    [InlineData("""{"channel":"c","data":"x"}""", "Missing 'name'")]
    [InlineData("""{"name":"e","channel":"c"}""", "Missing 'data'")]
    [InlineData("""{"name":"e","channel":"c","data":null}""", "Missing 'data'")]
    [InlineData("""{"name":"e","data":"x"}""", "Missing 'channel' or 'channels'")]
    [InlineData("""{"name":"e","channels":[],"data":"x"}""", "must not be empty")]
    [InlineData("""{"name":"e","channel":"bad name","data":"x"}""", "Invalid channel name 'bad name'")]
    [InlineData("""{"name":"e","channel":"#nope","data":"x"}""", "only #server-to-user-")]
    [InlineData("""{"name":"pusher:x","channel":"c","data":"x"}""", "reserved prefix")]
    [InlineData("""{"name":"e","channel":"c","data":"x","socket_id":"abc"}""", "Invalid socket_id")]
    [InlineData("""{"name":"e","channels":["private-encrypted-v","c"],"data":"x"}""", "encrypted channel must be the only")]
    public async Task Invalid_trigger_is_400_with_a_precise_error(string body, string expected) =>
        await AssertError(await Api.PostAsync("/apps/1001/events", Json(body)), HttpStatusCode.BadRequest, expected);

    [Fact]
    public async Task Event_name_over_200_characters_is_400() =>
        await AssertError(await Api.PostAsync("/apps/1001/events", Json($$"""{"name":"{{new string('e', 201)}}","channel":"c","data":"x"}""")),
            HttpStatusCode.BadRequest, "Event name too long");

    [Fact]
    public async Task More_than_100_channels_is_400()
    {
        var channels = string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"c{i}\""));
        await AssertError(await Api.PostAsync("/apps/1001/events", Json($$"""{"name":"e","channels":[{{channels}}],"data":"x"}""")),
            HttpStatusCode.BadRequest, "Too many channels: 101, at most 100");
    }

    [Fact]
    public async Task More_than_10_events_in_a_batch_is_400()
    {
        var items = string.Join(",", Enumerable.Range(0, 11).Select(_ => """{"name":"e","channel":"c","data":"x"}"""));
        await AssertError(await Api.PostAsync("/apps/1001/batch_events", Json($$"""{"batch":[{{items}}]}""")),
            HttpStatusCode.BadRequest, "Too many events in batch: 11, at most 10");
        await AssertError(await Api.PostAsync("/apps/1001/batch_events", Json("""{"batch":[]}""")), HttpStatusCode.BadRequest, "at least one");
    }

    [Fact]
    public async Task Data_of_exactly_10240_bytes_passes_and_one_more_is_413()
    {
        var ok = await Api.PostAsync("/apps/1001/events", Json($$"""{"name":"e","channel":"c","data":"{{new string('x', 10_240)}}"}"""));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await AssertError(await Api.PostAsync("/apps/1001/events", Json($$"""{"name":"e","channel":"c","data":"{{new string('x', 10_241)}}"}""")),
            HttpStatusCode.RequestEntityTooLarge, "Event data too large: 10241 bytes, at most 10240");
        // Bytes, not characters: 3,414 euro signs are 10,242 UTF-8 bytes.
        await AssertError(await Api.PostAsync("/apps/1001/events", Json($$"""{"name":"e","channel":"c","data":"{{new string('€', 3_414)}}"}""")),
            HttpStatusCode.RequestEntityTooLarge, "10242 bytes");
    }

    [Fact]
    public async Task Payload_limit_is_per_app()
    {
        var small = CreateApp(a => a with { Limits = a.Limits with { MaxEventPayloadBytes = 10 } });
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", small.Key);
        client.DefaultRequestHeaders.Add("X-Api-Secret", small.Secret);
        await AssertError(await client.PostAsync($"/apps/{small.Id}/events", Json("""{"name":"e","channel":"c","data":"12345678901"}""")),
            HttpStatusCode.RequestEntityTooLarge, "at most 10");
    }

    [Fact]
    public async Task Huge_body_is_refused_413_from_its_declared_length()
    {
        var content = new ByteArrayContent(new byte[2_000_000]);
        content.Headers.ContentLength = 2_000_000;
        await AssertError(await Api.PostAsync("/apps/1001/events", content), HttpStatusCode.RequestEntityTooLarge, "Request body too large");
    }

    [Fact]
    public async Task Body_without_length_is_cut_off_at_the_limit()
    {
        // Straight to the test server: the factory's default client would buffer the body first.
        using var client = new HttpClient(Factory.Server.CreateHandler()) { BaseAddress = Factory.Server.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", TestApp.Key);
        client.DefaultRequestHeaders.Add("X-Api-Secret", TestApp.Secret);
        var response = await client.PostAsync("/apps/1001/events", new StreamContent(new LongStream(64 * 1024 * 1024)));
        await AssertError(response, HttpStatusCode.RequestEntityTooLarge, "Request body too large");
    }

    [Fact]
    public async Task Server_keeps_serving_after_bad_requests()
    {
        var channel = Unique("after-");
        var subscriber = Subscribe(channel);
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Api.PostAsync("/apps/1001/events", Json("{\"name\":" + i))));
        var response = await Api.PostAsync("/apps/1001/events", Json($$"""{"name":"e","channel":"{{channel}}","data":"still"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("still", subscriber.Last("e").Data);
    }

    /// <summary>A body of unannounced length, generated as it is read, as a hostile client might send.</summary>
    private sealed class LongStream(long length) : Stream
    {
        private long _left = length;

        public override int Read(byte[] buffer, int offset, int count)
        {
            count = (int)Math.Min(count, _left);
            Array.Fill(buffer, (byte)' ', offset, count);
            _left -= count;
            return count;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
