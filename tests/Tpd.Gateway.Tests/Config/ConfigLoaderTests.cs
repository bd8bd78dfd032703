using Tpd.Gateway.Config;
using Tpd.Gateway.Security;

namespace Tpd.Gateway.Tests.Config;

public sealed class ConfigLoaderTests
{
    private const string Minimal = """
        workers:
          - name: gpu-0
            url: http://10.0.0.5:8000
            price_per_hour: 2.49
        """;

    [Fact]
    public void Parse_applies_documented_defaults()
    {
        var c = ConfigLoader.Parse(Minimal).Config!;

        c.Listen.ShouldBe(new Uri("http://127.0.0.1:8080"));
        c.Pool.ShouldBe("default");
        c.Routing.Policy.ShouldBe(BalancePolicy.LeastRequests);
        c.Workers[0].Price.DollarsPerHour.ShouldBe(2.49, 1e-9);
        c.Workers[0].Weight.ShouldBe(1);
        c.Workers[0].MaxInFlight.ShouldBe(256);
        c.Drain.RelativeToMedian.ShouldBe(0.5);
        c.Drain.Windows.ShouldBe(3);
        c.Limits.MaxBodyBytes.ShouldBe(1 << 20);
        c.Security.AllowCidrs.Select(x => x.Text).ShouldBe(["127.0.0.0/8", "::1/128"]);
        c.Security.ApiKeys.ShouldBeEmpty();
        c.Security.AdminKey.ShouldBeNull();
    }

    [Fact]
    public void Parse_reads_json_the_same_as_yaml()
    {
        var json = """{"workers":[{"name":"gpu-0","url":"http://10.0.0.5:8000","price_per_hour":2.49}],"routing":{"policy":"affinity"}}""";
        var fromJson = ConfigLoader.Parse(json).Config!;
        var fromYaml = ConfigLoader.Parse(Minimal + "\nrouting:\n  policy: affinity\n").Config!;

        fromJson.Workers[0].ShouldBe(fromYaml.Workers[0] with { Labels = fromJson.Workers[0].Labels });
        fromJson.Routing.ShouldBe(fromYaml.Routing with { AffinitySources = fromJson.Routing.AffinitySources });
    }

    [Fact]
    public void Parse_reports_every_error_at_once_quoting_the_value_and_the_fix()
    {
        var bad = """
            listen: localhost
            workers:
              - name: gpu 0
                url: ftp://x
                price_per_hour: -3
              - url: http://ok:1
                price_per_hour: cheap
            routing:
              policy: fastest
            drain:
              windws: 3
            security:
              api_keys: [sk-plaintext-key-123]
              allow_cidrs: [10.0.0.0/33]
            """;
        var r = ConfigLoader.Parse(bad);

        r.Ok.ShouldBeFalse();
        r.Errors.ShouldBe([
            "listen is 'localhost'; use host:port such as 127.0.0.1:8080, 0.0.0.0:8080 or [::]:8080 (plain HTTP; put TLS in front)",
            "workers[0].name is 'gpu 0'; use letters, digits, '-', '_' or '.' (it becomes a Prometheus label and an admin URL)",
            "workers[0].url is 'ftp://x'; use an http(s) base URL such as http://10.0.0.5:8000",
            "workers[0].price_per_hour is -3; allowed 0.0001 to 100000; give dollars per hour for the whole worker, e.g. 8 x 2.49 = 19.92",
            "workers[1].name is missing; give each worker a unique name such as gpu-0",
            "workers[1].price_per_hour is 'cheap', not a number; allowed 0.0001 to 100000; give dollars per hour for the whole worker, e.g. 8 x 2.49 = 19.92",
            "routing.policy is 'fastest'; allowed least-requests, least-tokens, power-of-two, affinity",
            "drain.windws: unknown key 'windws'; did you mean 'windows'?",
            "security.api_keys[0] is '<20 characters, hidden>', not a SHA-256 hash; store 'sha256:<64 hex>' made by `tpd gateway hash-key`, never the key itself",
            "security.allow_cidrs[0] is '10.0.0.0/33'; use a network such as 10.0.0.0/8, 192.168.1.7 or fd00::/8",
        ], ignoreOrder: true);
    }

    [Fact]
    public void Parse_rejects_an_empty_worker_list_and_duplicate_names()
    {
        ConfigLoader.Parse("workers: []").Errors.ShouldContain("workers is empty; list at least one worker with name, url and price_per_hour");
        var dup = Minimal + "\n  - name: gpu-0\n    url: http://10.0.0.6:8000\n    price_per_hour: 1\n";
        ConfigLoader.Parse(dup).Errors.ShouldContain("workers[1].name 'gpu-0' is used twice; worker names must be unique");
    }

    [Fact]
    public void Parse_reports_yaml_syntax_errors_with_a_line()
    {
        var r = ConfigLoader.Parse("workers:\n  - name: a\n   url: [", "gw.yaml");
        r.Errors.Single().ShouldStartWith("gw.yaml: not valid YAML at line");
    }

    [Fact]
    public void Listen_override_wins_over_the_file()
    {
        var c = ConfigLoader.Parse(Minimal + "\nlisten: 127.0.0.1:9000\n", listenOverride: "0.0.0.0:8081").Config!;
        c.Listen.ShouldBe(new Uri("http://0.0.0.0:8081"));
    }

    [Fact]
    public void Keys_are_read_as_hashes_with_names()
    {
        var hash = KeyHash.Of("sk-1").Text;
        var c = ConfigLoader.Parse(Minimal + $"\nsecurity:\n  api_keys:\n    - name: team-a\n      sha256: {hash}\n  admin_key_sha256: {KeyHash.Of("adm").Text}\n").Config!;

        c.Security.ApiKeys.Single().Name.ShouldBe("team-a");
        c.Security.ApiKeys.Single().Matches("sk-1").ShouldBeTrue();
        c.Security.AdminKey!.Matches("adm").ShouldBeTrue();
    }
}
