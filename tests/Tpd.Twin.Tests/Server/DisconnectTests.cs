using Tpd.Twin.Tests.Support;

namespace Tpd.Twin.Tests.Server;

public class DisconnectTests
{
    [Fact]
    public async Task A_client_that_goes_away_mid_stream_is_cancelled_and_its_kv_blocks_are_freed()
    {
        await using var twin = await Twins.StartAsync(Twins.Options(cost: Twins.Fixed(0.005, 0.005)));
        using (var http = Http.Client(twin.BaseUri))
        {
            using var response = await Http.OpenAsync(http, "v1/completions", """{"model":"llama-3.1-8b","prompt":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20],"max_tokens":5000,"ignore_eos":true,"stream":true}""");
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            (await reader.ReadLineAsync())!.ShouldStartWith("data: ");
            twin.Engine.Stats.Running.ShouldBe(1);
            twin.Engine.Stats.KvUsage.ShouldBeGreaterThan(0);
        }

        await FaultTests.WaitForAsync(() => twin.Engine.Stats.Running == 0);
        twin.Engine.Stats.KvUsage.ShouldBe(0);
        twin.Engine.Stats.Waiting.ShouldBe(0);
        (await Http.GetAsync(twin.BaseUri, "metrics")).ShouldContain("vllm:request_success_total{finished_reason=\"abort\",model_name=\"llama-3.1-8b\"} 1.0");
    }
}
