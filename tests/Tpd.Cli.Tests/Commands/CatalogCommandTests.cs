using Tpd.TestKit;

namespace Tpd.Cli.Tests.Commands;

public class CatalogCommandTests
{
    [Theory]
    [InlineData("gpus")]
    [InlineData("models")]
    [InlineData("prices")]
    public void Catalog_listings_match_their_golden_files(string what)
    {
        var (code, stdout, stderr) = CliRunner.Run("catalog", what);
        stderr.ShouldBeEmpty();
        code.ShouldBe(0);
        Golden.Match($"catalog-{what}.txt", stdout);
    }

    [Fact]
    public void A_missing_catalog_file_is_a_clear_error()
    {
        var (code, _, stderr) = CliRunner.Run("catalog", "gpus", "--catalog", "/nonexistent/gpus.json");
        code.ShouldBe(2);
        stderr.ShouldBe("error: --catalog '/nonexistent/gpus.json' does not exist; give the path of a JSON file (format in docs/catalog.md)" + Environment.NewLine);
    }
}
