using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.Host;
using Tpd.TestKit;

namespace Tpd.Telemetry.Tests.Host;

public sealed class NicRingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("tpd-nic-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Fixture(string name) => File.ReadAllText(Fixtures.PathOf($"ethtool/{name}"));

    private void Interface(string name, bool physical)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, "sys/class/net", name)).FullName;
        if (physical)
            Directory.CreateDirectory(Path.Combine(dir, "device"));
    }

    [Fact]
    public void Parse_reads_maximums_and_current_sizes_from_ethtool_6_output()
    {
        var ring = EthtoolRingParser.Parse("eth0", Fixture("virtio-net_ethtool-6.1_-g.txt"))!;
        ring.ShouldBe(new NicRing("eth0", 256, 256, 256, 256));
        ring.CanGrow.ShouldBeFalse(); // virtio: already at its maximum, nothing to raise
    }

    [Fact]
    public void Parse_reads_the_older_layout_with_zero_mini_and_jumbo_rings()
    {
        var ring = EthtoolRingParser.Parse("ens1f0np0", Fixture("mlx5_ethtool-5.x_-g.txt"))!;
        ring.ShouldBe(new NicRing("ens1f0np0", 8192, 8192, 1024, 1024));
        ring.CanGrow.ShouldBeTrue();
    }

    [Fact]
    public void Parse_returns_null_for_a_nic_that_does_not_support_the_query()
    {
        EthtoolRingParser.Parse("eth1", "netlink error: Operation not supported\n").ShouldBeNull();
    }

    [Fact]
    public void Target_is_the_seeds_4096_or_the_nics_maximum_when_smaller()
    {
        NicRing.Target(8192).ShouldBe(4096);
        NicRing.Target(2048).ShouldBe(2048);
        NicRing.Target(null).ShouldBe(4096);
        new NicRing("x", 2048, 2048, 2048, 2048).CanGrow.ShouldBeFalse();
        new NicRing("x", 8192, 8192, 4096, 4096).CanGrow.ShouldBeFalse();
        new NicRing("x", 8192, 8192, 4096, 512).CanGrow.ShouldBeTrue();
    }

    [Fact]
    public void The_probe_asks_ethtool_only_about_physical_interfaces_and_the_rule_gives_the_command()
    {
        Interface("ens1f0np0", physical: true);
        Interface("eth0", physical: true);
        Interface("lo", physical: false);
        Interface("docker0", physical: false);
        var asked = new List<string>();
        var probe = new LinuxHostProbe(_root, iface =>
        {
            asked.Add(iface);
            return iface == "eth0" ? Fixture("virtio-net_ethtool-6.1_-g.txt") : Fixture("mlx5_ethtool-5.x_-g.txt");
        });

        var facts = HostFactsCollector.Collect(probe);

        asked.ShouldBe(["ens1f0np0", "eth0"]);
        facts.NicRings!.Count.ShouldBe(2);
        var finding = DoctorRules.Evaluate(new DoctorInput { Host = facts }).Findings.Single(f => f.Id == "host.nic.ring-small");
        finding.Severity.ShouldBe(Severity.Info);
        finding.Subject.ShouldBe("NIC ens1f0np0");
        finding.Fix.ShouldStartWith("sudo ethtool -G ens1f0np0 rx 4096 tx 4096");
        finding.Evidence.Single().Value.ShouldBe("ens1f0np0: rx 1024/8192 max, tx 1024/8192 max");
    }

    [Fact]
    public void Without_ethtool_or_sys_class_net_there_are_no_ring_facts_and_no_crash()
    {
        new LinuxHostProbe(_root, _ => null).NicRings().ShouldBeEmpty();
        Interface("eth0", physical: true);
        new LinuxHostProbe(_root, _ => null).NicRings().ShouldBeEmpty();
        new LinuxHostProbe(_root).NicRings().ShouldBeEmpty(); // no ethtool under this root's bin folders
    }
}
