using Tpd.Core.Catalog;
using Tpd.Model.Serving;

namespace Tpd.Model.Tests.Estimate;

public class VllmDefaultsTests
{
    [Theory]
    [InlineData("h100-sxm", 1024, 8192)]
    [InlineData("h200", 1024, 8192)]
    [InlineData("mi300x", 1024, 8192)]
    [InlineData("a100-80gb-sxm", 256, 2048)] // vLLM excludes A100 from its large-GPU defaults
    [InlineData("l40s", 256, 2048)]
    [InlineData("l4", 256, 2048)]
    public void Batching_defaults_follow_vllms_choice_per_gpu(string gpu, int seqs, int tokens)
    {
        var spec = GpuCatalog.Default.Get(gpu);
        VllmDefaults.MaxNumSeqs(spec).ShouldBe(seqs);
        VllmDefaults.MaxBatchedTokens(spec).ShouldBe(tokens);
    }
}
