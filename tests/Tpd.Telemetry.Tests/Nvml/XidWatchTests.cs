using Tpd.Telemetry.Doctor;
using Tpd.Telemetry.Nvml;

namespace Tpd.Telemetry.Tests.Nvml;

public class XidWatchTests
{
    [Fact]
    public void Collect_reports_each_xid_with_the_gpus_pci_address_and_frees_the_event_set()
    {
        var nvml = new FakeNvml();
        nvml.PendingXids.Enqueue((0, 79));
        nvml.PendingXids.Enqueue((0, 79));
        nvml.PendingXids.Enqueue((0, 13));

        // Half a second: the queued Xids are read in the first few polls, unless a loaded box keeps this thread off a
        // core for the whole window (a 100 ms window left that margin thin).
        var result = XidWatch.Collect(nvml, TimeSpan.FromMilliseconds(500), CancellationToken.None);

        result.Unavailable.ShouldBeNull();
        result.WatchedDevices.ShouldBe([0]);
        result.Events.Select(e => e.Xid).ShouldBe([79, 79, 13]);
        result.Events.ShouldAllBe(e => e.PciAddress == "00000000:18:00.0" && e.Source == XidWatch.Source);
        nvml.FreedSets.ShouldBe(1);
    }

    [Fact]
    public void Xids_seen_during_the_watch_become_findings_grouped_by_xid_with_the_catalog_severity()
    {
        var nvml = new FakeNvml();
        nvml.PendingXids.Enqueue((0, 79));
        nvml.PendingXids.Enqueue((0, 79));
        nvml.PendingXids.Enqueue((0, 13));
        var xids = XidWatch.Collect(nvml, TimeSpan.FromMilliseconds(500), CancellationToken.None);

        var report = DoctorRules.Evaluate(new DoctorInput { WatchedXids = xids });

        var fell = report.Findings.Single(f => f.Id == "host.xid.79");
        fell.Severity.ShouldBe(Severity.Error);
        fell.Title.ShouldContain("during the watch window, 2 times");
        fell.Subject.ShouldBe("GPU at 00000000:18:00.0");
        report.Findings.ShouldContain(f => f.Id == "host.xid.13");
        report.ExitCode.ShouldBe(DoctorReport.Errors);
    }

    [Fact]
    public void A_driver_without_event_support_still_waits_the_window_and_says_xids_were_not_watched()
    {
        var nvml = new FakeNvml { EventsSupported = false };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = XidWatch.Collect(nvml, TimeSpan.FromMilliseconds(100), CancellationToken.None);
        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(90));
        result.Events.ShouldBeEmpty();
        result.Unavailable.ShouldNotBeNull();

        var finding = DoctorRules.Evaluate(new DoctorInput { WatchedXids = result }).Findings.Single();
        finding.Id.ShouldBe("doctor.xid-watch.unavailable");
        finding.Severity.ShouldBe(Severity.Info);
    }

    [Fact]
    public async Task Cancellation_ends_the_watch_early_and_keeps_what_was_seen()
    {
        var nvml = new FakeNvml();
        nvml.PendingXids.Enqueue((0, 48));
        using var cts = new CancellationTokenSource();
        // Cancels once the watch has read the Xid (not after a fixed 100 ms, which a descheduled thread could overrun
        // before its first read).
        var canceller = Task.Run(async () =>
        {
            while (nvml.PendingXids.Count > 0)
                await Task.Delay(5);
            await cts.CancelAsync();
        });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = XidWatch.Collect(nvml, TimeSpan.FromSeconds(30), cts.Token);
        await canceller;
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        result.Events.Single().Xid.ShouldBe(48);
        nvml.FreedSets.ShouldBe(1);
    }
}
