using System.Text;
using System.Text.Json;
using Tpd.Gateway.Proxy;

namespace Tpd.Gateway.Tests.Proxy;

public sealed class RequestInfoTests
{
    private static RequestInfo Read(string json, bool prefix = false) => RequestInfo.Read(Encoding.UTF8.GetBytes(json), prefix, 16);

    [Fact]
    public void Read_finds_stream_usage_max_tokens_and_user()
    {
        var info = Read("""{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true},"max_tokens":64,"user":"u1"}""");

        info.Valid.ShouldBeTrue();
        info.Stream.ShouldBeTrue();
        info.HasStreamOptions.ShouldBeTrue();
        info.IncludeUsage.ShouldBeTrue();
        info.MaxTokens.ShouldBe(64);
        info.HasUser.ShouldBeTrue();
    }

    [Fact]
    public void Read_hashes_the_first_message_prefix_so_shared_system_prompts_collide()
    {
        var a = Read("""{"messages":[{"role":"system","content":"0123456789abcdefXXX"},{"role":"user","content":"q1"}]}""", prefix: true);
        var b = Read("""{"messages":[{"role":"system","content":"0123456789abcdefYYY"},{"role":"user","content":"q2"}]}""", prefix: true);
        var c = Read("""{"messages":[{"role":"system","content":"another system p"}]}""", prefix: true);
        var parts = Read("""{"messages":[{"role":"system","content":[{"type":"text","text":"0123456789abcdefZ"}]}]}""", prefix: true);

        a.HasPrefix.ShouldBeTrue();
        a.PrefixHash.ShouldBe(b.PrefixHash);
        a.PrefixHash.ShouldNotBe(c.PrefixHash);
        parts.PrefixHash.ShouldBe(a.PrefixHash);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"stream\":tru")]
    public void Read_marks_non_objects_invalid(string body) => Read(body).Valid.ShouldBeFalse();

    [Fact]
    public void Usage_forcing_splices_stream_options_into_a_streaming_body()
    {
        var body = """{"model":"m","stream":true}""";
        var info = Read(body);
        var forced = Encoding.UTF8.GetString(UsageForcing.Apply(Encoding.UTF8.GetBytes(body), info).Span);

        using var doc = JsonDocument.Parse(forced);
        doc.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean().ShouldBeTrue();
        doc.RootElement.GetProperty("model").GetString().ShouldBe("m");
    }

    [Fact]
    public void Usage_forcing_leaves_non_streaming_and_already_asking_bodies_alone()
    {
        foreach (var body in new[] { """{"stream":false}""", """{"stream":true,"stream_options":{"include_usage":true}}""" })
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            UsageForcing.Apply(bytes, Read(body)).ToArray().ShouldBe(bytes);
        }
    }
}
