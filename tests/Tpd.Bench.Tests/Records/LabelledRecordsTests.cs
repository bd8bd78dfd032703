using Tpd.Bench.Records;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Tests.Records;

public class LabelledRecordsTests
{
    private static readonly RequestRecord Record = new()
    {
        Id = 7,
        Outcome = RequestOutcome.Ok,
        ScheduledSeconds = 1,
        SendSeconds = 1.5,
        InputTokens = 3,
        OutputTokens = 4,
        SessionId = "s1",
        Turn = 2,
    };

    [Fact]
    public async Task A_point_label_goes_first_on_the_line_and_reads_back_with_the_record()
    {
        using var stream = new MemoryStream();
        await using (var writer = new JsonlRecordWriter(stream))
        {
            await writer.WriteAsync(Record, "rate 2.5/s \"x\"");
            await writer.WriteAsync(Record with { Id = 8 });
        }

        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        text.ShouldStartWith("{\"point\":\"rate 2.5/s \\u0022x\\u0022\",\"id\":7,");
        var lines = JsonlRecordWriter.ReadLabelled(new StringReader(text)).ToList();
        lines.Select(l => l.Point).ShouldBe(["rate 2.5/s \"x\"", null]);
        Json(lines[0].Record).ShouldBe(Json(Record));
        // Plain readers skip the label.
        Json(JsonlRecordWriter.Read(new StringReader(text)).First()).ShouldBe(Json(Record));
    }

    private static string Json(RequestRecord r) => System.Text.Encoding.UTF8.GetString(JsonlRecordWriter.Serialize(r));

    [Fact]
    public void Session_and_turn_are_written_on_the_record()
    {
        var json = System.Text.Encoding.UTF8.GetString(JsonlRecordWriter.Serialize(Record));
        json.ShouldContain("\"session_id\":\"s1\",\"turn\":2");
    }
}
