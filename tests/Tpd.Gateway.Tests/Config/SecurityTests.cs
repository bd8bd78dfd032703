using System.Net;
using Tpd.Gateway.Security;

namespace Tpd.Gateway.Tests.Config;

public sealed class SecurityPrimitivesTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.1.7", "192.168.1.7", true)]
    [InlineData("192.168.1.7", "192.168.1.8", false)]
    [InlineData("172.16.0.0/12", "172.31.255.255", true)]
    [InlineData("172.16.0.0/12", "172.32.0.0", false)]
    [InlineData("127.0.0.0/8", "::ffff:127.0.0.1", true)]
    [InlineData("fd00::/8", "fd12:3456::1", true)]
    [InlineData("fd00::/8", "fe80::1", false)]
    [InlineData("::1/128", "::1", true)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("10.0.0.0/8", "::1", false)]
    public void Cidr_contains_matches_the_network(string cidr, string address, bool expected) =>
        CidrRange.TryParse(cidr)!.Contains(IPAddress.Parse(address)).ShouldBe(expected);

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("fd00::/129")]
    [InlineData("banana")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("0")]
    [InlineData("10.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("127.1/8")]
    public void Cidr_rejects_malformed_text(string text) => CidrRange.TryParse(text).ShouldBeNull();

    [Fact]
    public void Key_hash_round_trips_through_its_text_and_matches_only_its_key()
    {
        var hash = KeyHash.Of("sk-abc");
        var parsed = KeyHash.TryParse(hash.Text)!;

        hash.Text.ShouldStartWith("sha256:");
        hash.Text.Length.ShouldBe(7 + 64);
        parsed.Matches("sk-abc").ShouldBeTrue();
        parsed.Matches("sk-abd").ShouldBeFalse();
        parsed.Matches("").ShouldBeFalse();
        KeyHash.TryParse("sha256:xyz").ShouldBeNull();
    }

    [Fact]
    public void Key_check_finds_the_matching_key_among_several()
    {
        var keys = new[] { KeyHash.Of("k1", "one"), KeyHash.Of("k2", "two") };
        KeyCheck.Find(keys, "k2")!.Name.ShouldBe("two");
        KeyCheck.Find(keys, "k3").ShouldBeNull();
        KeyCheck.Bearer("Bearer  k1 ").ToString().ShouldBe("k1");
        KeyCheck.Bearer(null).IsEmpty.ShouldBeTrue();
    }
}
