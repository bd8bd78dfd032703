using Tpd.Core.Units;
using Tpd.Telemetry.NvidiaSmi;

namespace Tpd.Telemetry.Tests.NvidiaSmi;

public class NvidiaSmiXmlParserTests
{
    /// <summary>Values read by eye from each fixture file (one row per GPU element).</summary>
    public sealed record Expected(
        string File, int Index, string Name, string Uuid, string Driver, string Cuda, bool? Persistence, string PState,
        double DrawW, double LimitW, double DefaultW, double MinW, double MaxW,
        double TempC, double? SlowdownC, double SmMhz, double MaxSmMhz, double MemMhz, double MaxMemMhz,
        double? UtilPercent, double UsedMiB, double TotalMiB, ClockEventReasons Active,
        bool? EccOn, long? VolatileUncorrected, int CurGen, int MaxGen, int CurWidth, int MaxWidth, long Replay);

    private static readonly Expected[] All =
    [
        new("telegraf_3090-v13.xml", 0, "NVIDIA GeForce RTX 3090", "GPU-12345678-aaaa-bbbb-cccc-0123456789ab", "590.44.01", "13.1", true, "P8",
            35.06, 350, 350, 100, 480, 32, 95, 210, 2100, 405, 9751, 0, 7, 24576, ClockEventReasons.SwPowerCap, null, null, 1, 4, 16, 16, 0),
        new("telegraf_a100-sxm4-v12.xml", 0, "NVIDIA A100-SXM4-80GB", "GPU-513536b6-7d19-9063-b049-1e69664bb298", "535.54.03", "12.2", false, "P0",
            67.03, 500, 500, 100, 500, 27, 89, 1275, 1410, 1593, 1593, null, 50, 81920, ClockEventReasons.None, true, 0, 4, 4, 16, 16, 0),
        new("telegraf_a10g.xml", 0, "NVIDIA A10G", "GPU-9a9a6c50-2a47-2f51-a902-b82c3b127e94", "515.105.01", "11.7", false, "P8",
            25.58, 300, 300, 100, 300, 17, 95, 210, 1710, 405, 6251, 0, 22, 23028, ClockEventReasons.GpuIdle, true, 0, 1, 4, 8, 16, 0),
        new("telegraf_dual_2070-v13.xml", 0, "NVIDIA GeForce RTX 2070", "GPU-12345678-aaaa-bbbb-cccc-0123456789ab", "590.44.01", "13.1", true, "P8",
            9.23, 175, 175, 125, 200, 14, 91, 300, 2100, 405, 7001, 0, 1, 8192, ClockEventReasons.GpuIdle, null, null, 1, 3, 8, 16, 0),
        new("telegraf_dual_2070-v13.xml", 1, "NVIDIA GeForce RTX 2070", "GPU-12345678-aaaa-bbbb-cccc-0123456789cd", "590.44.01", "13.1", true, "P8",
            11.82, 175, 175, 125, 200, 13, 91, 300, 2100, 405, 7001, 0, 1, 8192, ClockEventReasons.GpuIdle, null, null, 1, 3, 8, 16, 0),
        new("telegraf_gtx-1660-ti.xml", 0, "Graphics Device", "GPU-304a277d-3545-63b8-3a36-dfde3c992989", "418.43", "10.1", false, "P8",
            8.93, 130, 130, 70, 130, 40, 93, 300, 2145, 405, 4001, 0, 0, 5912, ClockEventReasons.GpuIdle, null, null, 1, 3, 16, 16, 0),
        new("telegraf_quadro-p2000-v12.xml", 0, "Quadro P2000", "GPU-396caaed-39ca-3199-2e68-717cdb786ec6", "525.125.06", "12.0", true, "P8",
            4.61, 75, 75, 75, 75, 34, 101, 139, 1721, 405, 3504, 0, 1, 5120, ClockEventReasons.GpuIdle, null, null, 1, 3, 8, 16, 0),
        new("telegraf_rtx-3060-v12.xml", 0, "NVIDIA GeForce RTX 3060", "GPU-d6889ff6-2523-9142-ca3c-1ca3f396a625", "570.124.04", "12.8", true, "P8",
            11.60, 170, 170, 100, 190, 42, 95, 210, 2145, 405, 7501, 0, 116, 12288, ClockEventReasons.GpuIdle, null, null, 1, 4, 16, 16, 0),
        new("telegraf_rtx-3080-v13.xml", 0, "NVIDIA GeForce RTX 3080", "GPU-19d6d965-2acc-f646-00f8-4c76979aabb4", "595.58.03", "13.2", false, "P2",
            139.62, 320, 320, 100, 336, 27, 95, 1950, 2100, 9251, 9501, 65, 9184, 10240, ClockEventReasons.None, null, null, 4, 4, 16, 16, 0),
        new("telegraf_rtx-4000-sff-ada-v13.xml", 0, "NVIDIA RTX 4000 SFF Ada Generation", "GPU-37037c3f-65c8-ec4d-24a9-420204ad8026", "595.84", "13.2", true, "P8",
            8.81, 70, 70, 30, 70, 38, null, 210, 3105, 405, 7001, 0, 3534, 20475, ClockEventReasons.GpuIdle, false, null, 1, 4, 16, 16, 0),
        new("telegraf_tesla-t4.xml", 0, "Tesla T4", "GPU-d37e67a5-91dd-3774-a5cb-99096249601a", "515.105.01", "11.7", false, "P0",
            26.78, 70, 70, 60, 70, 40, 93, 585, 1590, 5000, 5001, 0, 1032, 15360, ClockEventReasons.None, true, 0, 3, 3, 8, 16, 0),
    ];

    public static TheoryData<Expected> Rows => new(All);

    [Fact]
    public void Rows_cover_every_gpu_of_every_fixture()
    {
        var covered = All.Select(r => r.File).ToHashSet();
        covered.ShouldBe(SmiFixtures.Names.ToHashSet(), ignoreOrder: true);
        foreach (var name in SmiFixtures.Names)
            SmiFixtures.Report(name).Gpus.Count.ShouldBe(All.Count(r => r.File == name), name);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Parse_reads_identity_versions_and_persistence(Expected e)
    {
        var g = SmiFixtures.Gpu(e.File, e.Index);
        g.Index.ShouldBe(e.Index);
        g.Name.ShouldBe(e.Name);
        g.Uuid.ShouldBe(e.Uuid);
        g.DriverVersion.ShouldBe(e.Driver);
        g.CudaVersion.ShouldBe(e.Cuda);
        g.PersistenceMode.ShouldBe(e.Persistence);
        g.PerformanceState.ShouldBe(e.PState);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Parse_reads_power_draw_and_limits_across_schema_renames(Expected e)
    {
        var p = SmiFixtures.Gpu(e.File, e.Index).Power;
        p.Draw.ShouldBe(Power.FromWatts(e.DrawW));
        p.EffectiveLimit.ShouldBe(Power.FromWatts(e.LimitW));
        p.DefaultLimit.ShouldBe(Power.FromWatts(e.DefaultW));
        p.MinLimit.ShouldBe(Power.FromWatts(e.MinW));
        p.MaxLimit.ShouldBe(Power.FromWatts(e.MaxW));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Parse_reads_temperature_clocks_utilization_and_memory(Expected e)
    {
        var g = SmiFixtures.Gpu(e.File, e.Index);
        g.Temperature.GpuCelsius.ShouldBe(e.TempC);
        g.Temperature.SlowdownCelsius.ShouldBe(e.SlowdownC);
        g.Clocks.SmMhz.ShouldBe(e.SmMhz);
        g.Clocks.MaxSmMhz.ShouldBe(e.MaxSmMhz);
        g.Clocks.MemoryMhz.ShouldBe(e.MemMhz);
        g.Clocks.MaxMemoryMhz.ShouldBe(e.MaxMemMhz);
        g.GpuUtilizationPercent.ShouldBe(e.UtilPercent);
        g.MemoryUsed.ShouldBe(DataSize.FromMiB(e.UsedMiB));
        g.MemoryTotal.ShouldBe(DataSize.FromMiB(e.TotalMiB));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Parse_reads_all_nine_clock_event_reasons_under_either_element_name(Expected e)
    {
        var state = SmiFixtures.Gpu(e.File, e.Index).ClockEvents.ShouldNotBeNull();
        state.Active.ShouldBe(e.Active);
        state.Reported.ShouldBe((ClockEventReasons)0x1FF);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Parse_reads_ecc_and_pcie(Expected e)
    {
        var g = SmiFixtures.Gpu(e.File, e.Index);
        g.Ecc.CurrentEnabled.ShouldBe(e.EccOn);
        g.Ecc.Volatile.Uncorrected.ShouldBe(e.VolatileUncorrected);
        g.Pcie.CurrentGen.ShouldBe(e.CurGen);
        g.Pcie.MaxGen.ShouldBe(e.MaxGen);
        g.Pcie.CurrentWidth.ShouldBe(e.CurWidth);
        g.Pcie.MaxWidth.ShouldBe(e.MaxWidth);
        g.Pcie.ReplayCounter.ShouldBe(e.Replay);
    }

    [Fact]
    public void Parse_reads_v13_clock_event_counters_in_microseconds()
    {
        var c = SmiFixtures.Gpu("telegraf_3090-v13.xml").ClockEventCounters.ShouldNotBeNull();
        c.SwPowerCap.ShouldBe(Duration.FromMicroseconds(9840338777));
        c.SwThermalSlowdown.ShouldBe(Duration.Zero);
        c.HwThermalSlowdown.ShouldBe(Duration.Zero);
        c.HwPowerBrake.ShouldBe(Duration.Zero);
        c.SyncBoost.ShouldBe(Duration.Zero);
    }

    [Theory]
    [InlineData("telegraf_a100-sxm4-v12.xml")]
    [InlineData("telegraf_rtx-3060-v12.xml")]
    [InlineData("telegraf_quadro-p2000-v12.xml")]
    [InlineData("telegraf_gtx-1660-ti.xml")]
    public void Parse_leaves_counters_null_before_v13(string file) =>
        SmiFixtures.Gpu(file).ClockEventCounters.ShouldBeNull();

    [Fact]
    public void Parse_falls_back_to_instant_draw_when_the_average_is_NA()
    {
        // dual_2070-v13: <average_power_draw>N/A</average_power_draw><instant_power_draw>9.23 W</instant_power_draw>
        var p = SmiFixtures.Gpu("telegraf_dual_2070-v13.xml").Power;
        p.Draw.ShouldBe(Power.FromWatts(9.23));
        p.InstantDraw.ShouldBe(Power.FromWatts(9.23));
    }

    [Fact]
    public void Parse_prefers_the_average_over_the_instant_draw()
    {
        var p = SmiFixtures.Gpu("telegraf_rtx-3080-v13.xml").Power;
        p.Draw.ShouldBe(Power.FromWatts(139.62));
        p.InstantDraw.ShouldBe(Power.FromWatts(142.33));
    }

    [Fact]
    public void Parse_reads_enforced_limit_only_where_the_old_schema_has_it()
    {
        SmiFixtures.Gpu("telegraf_tesla-t4.xml").Power.EnforcedLimit.ShouldBe(Power.FromWatts(70));
        SmiFixtures.Gpu("telegraf_a100-sxm4-v12.xml").Power.EnforcedLimit.ShouldBeNull();
        SmiFixtures.Gpu("telegraf_a100-sxm4-v12.xml").Power.Limit.ShouldBe(Power.FromWatts(500));
    }

    [Fact]
    public void Parse_reads_host_and_device_link_maxima_where_present()
    {
        var p = SmiFixtures.Gpu("telegraf_a100-sxm4-v12.xml").Pcie;
        p.DeviceMaxGen.ShouldBe(4);
        p.HostMaxGen.ShouldBe(4);
        SmiFixtures.Gpu("telegraf_tesla-t4.xml").Pcie.HostMaxGen.ShouldBeNull();
    }

    [Fact]
    public void Parse_reads_ecc_mode_and_zero_counts_on_data_center_boards()
    {
        var ecc = SmiFixtures.Gpu("telegraf_a100-sxm4-v12.xml").Ecc;
        ecc.CurrentEnabled.ShouldBe(true);
        ecc.PendingEnabled.ShouldBe(true);
        ecc.Volatile.Corrected.ShouldBe(0);
        ecc.Aggregate.Uncorrected.ShouldBe(0);
    }

    [Fact]
    public void Parse_treats_NA_ecc_counts_as_missing_not_zero_in_old_and_new_schemas()
    {
        // quadro-p2000-v12 has single_bit/total = N/A; rtx-3060-v12 has sram_uncorrectable_parity = N/A.
        SmiFixtures.Gpu("telegraf_quadro-p2000-v12.xml").Ecc.Volatile.Corrected.ShouldBeNull();
        SmiFixtures.Gpu("telegraf_rtx-3060-v12.xml").Ecc.Aggregate.Uncorrected.ShouldBeNull();
        SmiFixtures.Gpu("telegraf_rtx-3060-v12.xml").Ecc.CurrentEnabled.ShouldBeNull();
    }

    [Fact]
    public void Parse_reads_retired_pages_and_remapped_rows()
    {
        var t4 = SmiFixtures.Gpu("telegraf_tesla-t4.xml");
        t4.RetiredPages.SingleBitCount.ShouldBe(0);
        t4.RetiredPages.DoubleBitCount.ShouldBe(0);
        t4.RetiredPages.PendingRetirement.ShouldBe(false);
        t4.RemappedRows.Pending.ShouldBeNull();

        var ada = SmiFixtures.Gpu("telegraf_rtx-4000-sff-ada-v13.xml");
        ada.RemappedRows.Correctable.ShouldBe(0);
        ada.RemappedRows.Uncorrectable.ShouldBe(0);
        ada.RemappedRows.Pending.ShouldBe(false);
        ada.RemappedRows.Failure.ShouldBe(false);
    }

    [Fact]
    public void Parse_reads_tlimit_margins_and_derives_headroom_when_absolute_thresholds_are_missing()
    {
        // rtx-4000-sff-ada-v13: gpu_temp_tlimit 49 C, gpu_temp_slow_tlimit_threshold -2 C, no gpu_temp_slow_threshold.
        var t = SmiFixtures.Gpu("telegraf_rtx-4000-sff-ada-v13.xml").Temperature;
        t.TLimitCelsius.ShouldBe(49);
        t.SlowdownTLimitCelsius.ShouldBe(-2);
        t.ShutdownTLimitCelsius.ShouldBe(-7);
        t.MaxOperatingTLimitCelsius.ShouldBe(0);
        t.SlowdownHeadroomCelsius.ShouldBe(51);
        SmiFixtures.Gpu("telegraf_a100-sxm4-v12.xml").Temperature.SlowdownHeadroomCelsius.ShouldBe(89 - 27);
    }

    [Fact]
    public void Parse_treats_deprecated_and_NA_values_as_missing()
    {
        // 3090-v13: power_state "Requested functionality has been deprecated"; a100: gpu_util N/A under MIG.
        var a100 = SmiFixtures.Gpu("telegraf_a100-sxm4-v12.xml");
        a100.GpuUtilizationPercent.ShouldBeNull();
        a100.MigEnabled.ShouldBe(true);
        a100.Architecture.ShouldBe("Ampere");
        SmiFixtures.Gpu("telegraf_gtx-1660-ti.xml").Architecture.ShouldBeNull();
    }

    [Fact]
    public void Parse_reads_attached_gpu_count_separately_from_gpu_elements()
    {
        var r = SmiFixtures.Report("telegraf_a100-sxm4-v12.xml");
        r.AttachedGpus.ShouldBe(4);
        r.Gpus.Count.ShouldBe(1);
        r.Timestamp.ShouldBe("Fri Aug  4 11:44:30 2023");
    }

    [Fact]
    public void Parse_labels_gpus_by_index_name_and_bus_id()
    {
        var r = SmiFixtures.Report("telegraf_dual_2070-v13.xml");
        r.Gpus[1].Label.ShouldStartWith("GPU 1 (NVIDIA GeForce RTX 2070, ");
        r.Gpus[0].PciBusId.ShouldNotBe(r.Gpus[1].PciBusId);
    }

    [Fact]
    public void Parse_never_resolves_an_external_DTD_or_entity()
    {
        // An XXE attempt: with DTD processing ignored the entity stays undeclared text or fails; it is never read.
        const string xml = """
            <?xml version="1.0"?>
            <!DOCTYPE nvidia_smi_log SYSTEM "http://127.0.0.1:1/nvsmi_device_v13.dtd">
            <nvidia_smi_log><driver_version>550.54.15</driver_version><cuda_version>12.4</cuda_version>
            <gpu id="0"><product_name>NVIDIA H100 80GB HBM3</product_name></gpu></nvidia_smi_log>
            """;
        var r = NvidiaSmiXmlParser.Parse(xml);
        r.DriverVersion.ShouldBe("550.54.15");
        r.Gpus.Single().Name.ShouldBe("NVIDIA H100 80GB HBM3");
    }

    [Fact]
    public void Parse_rejects_text_that_is_not_nvidia_smi_xml_with_the_command_to_make_it()
    {
        var e = Should.Throw<NvidiaSmiFormatException>(() => NvidiaSmiXmlParser.Parse("NVIDIA-SMI has failed because it couldn't communicate"));
        e.Message.ShouldContain("NVIDIA-SMI has failed");
        e.Message.ShouldContain("nvidia-smi -q -x");

        var wrongRoot = Should.Throw<NvidiaSmiFormatException>(() => NvidiaSmiXmlParser.Parse("<html/>"));
        wrongRoot.Message.ShouldContain("'html'");
    }

    [Fact]
    public void Parse_reads_compute_capability_when_a_source_includes_it()
    {
        const string xml = "<nvidia_smi_log><gpu><compute_cap>10.0</compute_cap><product_architecture>Blackwell</product_architecture></gpu></nvidia_smi_log>";
        var g = NvidiaSmiXmlParser.Parse(xml).Gpus.Single();
        g.ComputeCapability.ShouldBe("10.0");
        g.Architecture.ShouldBe("Blackwell");
    }
}

public class NvidiaSmiXmlParserSecurityTests
{
    [Fact]
    public void Parse_does_not_expand_an_external_entity()
    {
        const string xml = """
            <?xml version="1.0"?>
            <!DOCTYPE nvidia_smi_log [<!ENTITY leak SYSTEM "file:///etc/hostname">]>
            <nvidia_smi_log><driver_version>&leak;</driver_version></nvidia_smi_log>
            """;
        // With DTD processing ignored the entity is undeclared: the document is rejected, the file never read.
        var e = Should.Throw<NvidiaSmiFormatException>(() => NvidiaSmiXmlParser.Parse(xml));
        e.Message.ShouldContain("leak");
    }
}
