using System.Text;
using Tpd.Bench.Records;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Tests.Records;

public class JsonlRecordWriterTests
{
    private static RequestRecord Rec(long id) => new()
    {
        Id = id,
        Outcome = RequestOutcome.Ok,
        ScheduledSeconds = id,
        SendSeconds = id + 0.001,
        FirstTokenSeconds = id + 0.1,
        LastTokenSeconds = id + 0.3,
        EndSeconds = id + 0.31,
        InputTokens = 10,
        OutputTokens = 3,
        InterTokenGaps = [0.1, 0.1],
    };

    [Fact]
    public async Task WriteAsync_makes_each_record_readable_before_the_writer_closes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tpd-jsonl-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using var writer = JsonlRecordWriter.Create(path);
            await Task.WhenAll(Enumerable.Range(0, 20).Select(i => writer.WriteAsync(Rec(i))));

            // Still open: what a Ctrl-C would leave behind.
            using var read = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            var records = JsonlRecordWriter.Read(read).ToList();
            records.Select(r => r.Id).Order().ShouldBe(Enumerable.Range(0, 20).Select(i => (long)i));
            writer.Written.ShouldBe(20);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Serialize_puts_the_unit_in_snake_case_field_names()
    {
        var json = Encoding.UTF8.GetString(JsonlRecordWriter.Serialize(Rec(1)));
        json.ShouldContain("\"send_seconds\":1.001");
        json.ShouldContain("\"ttft_seconds\":");
        json.ShouldContain("\"outcome\":\"Ok\"");
        json.ShouldContain("\"inter_token_gaps\":[0.1,0.1]");
        json.ShouldNotContain("error_class");
    }

    [Fact]
    public void Read_round_trips_every_field()
    {
        var original = Rec(3) with { Outcome = RequestOutcome.Error, ErrorClass = "http_429", HttpStatus = 429, Warmup = true, CachedInputTokens = 4, OutputTokensSource = TokenCountSource.EventCount };
        var back = JsonlRecordWriter.Read(new StringReader(Encoding.UTF8.GetString(JsonlRecordWriter.Serialize(original)) + "\n\n")).Single();
        back.ShouldBe(original with { InterTokenGaps = back.InterTokenGaps });
        back.InterTokenGaps.ShouldBe(original.InterTokenGaps);
    }

    [Fact]
    public void Read_names_the_bad_line()
    {
        Should.Throw<FormatException>(() => JsonlRecordWriter.Read(new StringReader("{\"id\":1}\nnot json")).ToList()).Message.ShouldStartWith("line 1 is not a request record");
    }
}
