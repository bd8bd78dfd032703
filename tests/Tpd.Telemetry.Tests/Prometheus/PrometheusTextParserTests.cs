using Tpd.Telemetry.Prometheus;
using Tpd.TestKit;

namespace Tpd.Telemetry.Tests.Prometheus;

public class PrometheusTextParserTests
{
    public static TheoryData<string, int, int> FixtureCounts => new()
    {
        // file, # TYPE lines, sample lines (counted with grep -c over the fixture)
        { "datadog_vllm_metrics.txt", 50, 185 },
        { "datadog_sglang_metrics.txt", 25, 43 },
        { "sglang_docs_llama31_8b.txt", 12, 91 },
        { "datadog_tgi_payload_excerpt.txt", 11, 58 },
    };

    [Fact]
    public void FixtureCounts_cover_every_metrics_fixture()
    {
        var listed = FixtureCounts.Select(r => (string)r[0]).ToHashSet();
        Fixtures.Files("metrics", "*.txt").Select(Path.GetFileName).ToHashSet().ShouldBe(listed!, ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(FixtureCounts))]
    public void Parse_keeps_every_sample_and_attaches_it_to_its_typed_family(string file, int typed, int samples)
    {
        var scrape = PrometheusTextParser.Parse(Fixtures.Read("metrics/" + file));
        scrape.Families.SelectMany(f => f.Samples).Count().ShouldBe(samples);
        scrape.Families.Count(f => f.Type != MetricType.Untyped).ShouldBe(typed);
        scrape.Families.Where(f => f.Type == MetricType.Untyped).ShouldBeEmpty();
    }

    [Fact]
    public void Parse_reads_the_last_line_when_there_is_no_trailing_newline()
    {
        // datadog_vllm_metrics.txt ends in "... 53.0" without a newline, as upstream.
        var scrape = PrometheusTextParser.Parse(Fixtures.Read("metrics/datadog_vllm_metrics.txt"));
        scrape.Sum("vllm:request_prefill_kv_computed_tokens_sum").ShouldBe(53.0);
    }

    [Fact]
    public void Parse_groups_histogram_suffixes_under_the_family_and_reads_le_buckets()
    {
        var scrape = PrometheusTextParser.Parse(Fixtures.Read("metrics/datadog_tgi_payload_excerpt.txt"));
        var family = scrape.Family("tgi_request_inference_duration").ShouldNotBeNull();
        family.Type.ShouldBe(MetricType.Histogram);
        family.Help.ShouldBe("Request inference duration");
        var h = scrape.Histogram("tgi_request_inference_duration").ShouldNotBeNull();
        h.Count.ShouldBe(109);
        h.Sum.ShouldBe(245.91743839099996);
        h.Buckets.Count.ShouldBe(36);
        h.Buckets[^1].UpperBound.ShouldBe(double.PositiveInfinity);
        h.Buckets[^1].CumulativeCount.ShouldBe(109);
    }

    [Fact]
    public void Parse_reads_summaries_with_quantile_labels()
    {
        var scrape = PrometheusTextParser.Parse(Fixtures.Read("metrics/datadog_tgi_payload_excerpt.txt"));
        var family = scrape.Family("tgi_request_skipped_tokens").ShouldNotBeNull();
        family.Type.ShouldBe(MetricType.Summary);
        family.Samples.Count(s => s.Label("quantile") is not null).ShouldBe(7);
        scrape.Sum("tgi_request_skipped_tokens_count").ShouldBe(3423);
    }

    [Fact]
    public void Parse_unescapes_backslash_quote_and_newline_in_label_values()
    {
        var scrape = PrometheusTextParser.Parse("m{path=\"C:\\\\models\",q=\"say \\\"hi\\\"\",nl=\"a\\nb\",odd=\"x\\ty\"} 1\n");
        var s = scrape.Samples("m").Single();
        s.Label("path").ShouldBe(@"C:\models");
        s.Label("q").ShouldBe("say \"hi\"");
        s.Label("nl").ShouldBe("a\nb");
        s.Label("odd").ShouldBe(@"x\ty");
    }

    [Fact]
    public void Parse_accepts_commas_and_braces_inside_quoted_label_values_and_a_trailing_comma()
    {
        var s = PrometheusTextParser.Parse("m{a=\"x,y}\",b=\"z\",} 2").Samples("m").Single();
        s.Label("a").ShouldBe("x,y}");
        s.Label("b").ShouldBe("z");
        s.Value.ShouldBe(2);
    }

    [Fact]
    public void Parse_reads_special_values_timestamps_and_crlf_lines()
    {
        var scrape = PrometheusTextParser.Parse("a +Inf\r\nb -Inf 1700000000000\r\nc NaN\r\nd 1.5e-3\r\n# EOF\r\n");
        scrape.Sum("a").ShouldBe(double.PositiveInfinity);
        scrape.Samples("b").Single().TimestampMilliseconds.ShouldBe(1700000000000);
        double.IsNaN(scrape.Sum("c")!.Value).ShouldBeTrue();
        scrape.Sum("d").ShouldBe(0.0015);
    }

    [Fact]
    public void Parse_keeps_created_series_out_of_counter_sums()
    {
        // prometheus_client (vLLM, SGLang) writes a separate X_created gauge next to every counter
        // (see vllm-project/production-stack#318); OpenMetrics puts X_created inside the family.
        const string text = """
            # HELP vllm:prompt_tokens_total Number of prefill tokens processed.
            # TYPE vllm:prompt_tokens_total counter
            vllm:prompt_tokens_total{engine="0",model_name="m"} 100.0
            vllm:prompt_tokens_total{engine="1",model_name="m"} 50.0
            # HELP vllm:prompt_tokens_created Number of prefill tokens processed.
            # TYPE vllm:prompt_tokens_created gauge
            vllm:prompt_tokens_created{engine="0",model_name="m"} 1.7531e+09
            # TYPE om counter
            om_total 7
            om_created 1.7e9
            """;
        var scrape = PrometheusTextParser.Parse(text);
        scrape.Sum("vllm:prompt_tokens_total").ShouldBe(150.0);
        scrape.Family("vllm:prompt_tokens_created").ShouldNotBeNull().Type.ShouldBe(MetricType.Gauge);
        var om = scrape.Family("om").ShouldNotBeNull();
        om.Samples.Select(s => s.Name).ShouldBe(["om_total", "om_created"]);
        scrape.Sum("om_total").ShouldBe(7);
    }

    [Fact]
    public void Parse_keeps_untyped_samples_as_their_own_family()
    {
        var scrape = PrometheusTextParser.Parse("loose_metric{a=\"1\"} 3\n");
        scrape.Family("loose_metric").ShouldNotBeNull().Type.ShouldBe(MetricType.Untyped);
    }

    [Theory]
    [InlineData("m{a=\"1\"", "not closed")]
    [InlineData("m{a=\"1\" 2", "expected a label name or '}' at column 9")]
    [InlineData("m{a=1} 2", "double-quoted")]
    [InlineData("m twelve", "'twelve' is not a number")]
    [InlineData("{a=\"1\"} 2", "metric name")]
    [InlineData("# TYPE m countr", "unknown metric type 'countr'")]
    public void Parse_rejects_malformed_lines_quoting_line_number_and_text(string line, string expected)
    {
        var e = Should.Throw<PrometheusFormatException>(() => PrometheusTextParser.Parse("ok 1\n" + line));
        e.Message.ShouldContain("line 2");
        e.Message.ShouldContain(expected);
    }
}
