using System.Net;
using Tpd.Telemetry.Host;

namespace Tpd.Telemetry.Tests.Host;

public class ProcNetTcpParserTests
{
    private const string Tcp = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 123456 1 0000000000000000 100 0 0 10 0
           1: 0100007F:7530 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 123457 1 0000000000000000 100 0 0 10 0
           2: 0302010A:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123458 1 0000000000000000 100 0 0 10 0
           3: 0100007F:1F40 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 123459 1 0000000000000000 20 4 30 10 -1
        """;

    private const string Tcp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2 1 0000000000000000 100 0 0 10 0
           1: 00000000000000000000000001000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 3 1 0000000000000000 100 0 0 10 0
        """;

    [Fact]
    public void ParseListening_decodes_little_endian_ipv4_and_big_endian_ports_and_skips_other_states()
    {
        var s = ProcNetTcpParser.ParseListening(Tcp);
        s.ShouldBe(
        [
            new ListeningSocket(IPAddress.Any, 8000),
            new ListeningSocket(IPAddress.Loopback, 30000),
            new ListeningSocket(IPAddress.Parse("10.1.2.3"), 22),
        ]);
        s[0].IsAllInterfaces.ShouldBeTrue();
        s[1].IsAllInterfaces.ShouldBeFalse();
    }

    [Fact]
    public void ParseListening_decodes_ipv6_words()
    {
        var s = ProcNetTcpParser.ParseListening(Tcp6);
        s.ShouldBe([new ListeningSocket(IPAddress.IPv6Any, 8080), new ListeningSocket(IPAddress.IPv6Loopback, 3000)]);
        s[0].ToString().ShouldBe("[::]:8080");
    }

    [Theory]
    [InlineData("")]
    [InlineData("header only\n")]
    [InlineData("header\n   0: ZZZZZZZZ:1F40 00000000:0000 0A\n")]
    public void ParseListening_ignores_text_it_cannot_read(string text) => ProcNetTcpParser.ParseListening(text).ShouldBeEmpty();
}
