namespace Tpd.Telemetry.Doctor.Rules;

/// <summary>ECC counts and mode, retired pages, remapped rows (NVIDIA "GPU Memory Error Management" guide:
/// uncorrectable errors need a GPU reset to retire the page or remap the row; remap failure means RMA).</summary>
internal static class MemoryRules
{
    public static IEnumerable<Finding> Evaluate(GpuContext c)
    {
        var ecc = c.Now.Ecc;
        var idx = c.Now.Index;

        if (ecc.Volatile.Uncorrected is > 0)
        {
            yield return new Finding
            {
                Id = "gpu.ecc.uncorrectable",
                Severity = Severity.Error,
                Subject = c.Subject,
                Title = $"{ecc.Volatile.Uncorrected} uncorrectable ECC errors since the driver loaded",
                Evidence = Counts(ecc),
                Fix = $"drain the node, then `sudo nvidia-smi -i {idx} -r` to retire pages / remap rows; RMA if errors return",
            };
        }
        else if (ecc.Aggregate.Uncorrected is > 0)
        {
            yield return new Finding
            {
                Id = "gpu.ecc.uncorrectable-history",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = $"{ecc.Aggregate.Uncorrected} uncorrectable ECC errors in the GPU's lifetime (none since the driver loaded)",
                Evidence = Counts(ecc),
                Fix = $"nvidia-smi -i {idx} -q -d ECC,PAGE_RETIREMENT,ROW_REMAPPER",
                Note = "check that the affected rows were remapped (or pages retired) and watch for new errors",
            };
        }

        if (c.Before?.Ecc.Volatile.Corrected is { } c0 && ecc.Volatile.Corrected is { } c1 && c1 > c0)
        {
            yield return new Finding
            {
                Id = "gpu.ecc.corrected-growing",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = $"corrected ECC errors grew by {c1 - c0} during the window",
                Evidence = [new("ecc_errors.volatile corrected (before)", c0.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new("ecc_errors.volatile corrected (after)", c1.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    .. Window(c)],
                Fix = $"watch `nvidia-smi -i {idx} -q -d ECC`; schedule a reset at the next drain and RMA if the rate keeps rising",
                Note = "corrections cost retries; a rising rate often precedes uncorrectable errors",
            };
        }

        if (ecc.CurrentEnabled is { } cur && ecc.PendingEnabled is { } pend && cur != pend)
        {
            yield return new Finding
            {
                Id = "gpu.ecc.mode-pending",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = $"ECC mode changes from {OnOff(cur)} to {OnOff(pend)} at the next reboot or GPU reset",
                Evidence = [new("ecc_mode.current_ecc", OnOff(cur)), new("ecc_mode.pending_ecc", OnOff(pend))],
                Fix = $"drain, then `sudo nvidia-smi -i {idx} -r` (or reboot) to apply it",
                Note = "enabling ECC also reserves part of the memory on GDDR boards (A10G: 23028 of 24576 MiB usable), which shrinks the KV cache",
            };
        }

        var rp = c.Now.RetiredPages;
        if (rp.PendingRetirement is true)
        {
            yield return new Finding
            {
                Id = "gpu.memory.retirement-pending",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = "pages are waiting to be retired at the next driver reload",
                Evidence = [new("retired_pages.pending_retirement", "Yes"), .. RetiredCounts(rp)],
                Fix = $"drain, then `sudo nvidia-smi -i {idx} -r`",
            };
        }
        else if (rp.DoubleBitCount is > 0)
        {
            yield return new Finding
            {
                Id = "gpu.memory.pages-retired",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = $"{rp.DoubleBitCount} pages retired after double-bit errors",
                Evidence = RetiredCounts(rp),
                Fix = $"nvidia-smi -i {idx} -q -d PAGE_RETIREMENT",
                Note = "NVIDIA's memory error guide treats a growing retired-page count as a reason to RMA",
            };
        }

        var rr = c.Now.RemappedRows;
        if (rr.Failure is true)
        {
            yield return new Finding
            {
                Id = "gpu.memory.row-remap-failed",
                Severity = Severity.Error,
                Subject = c.Subject,
                Title = "row remapping failed: a memory bank has no spare rows left",
                Evidence = RemapEvidence(rr),
                Fix = "drain the node and RMA the GPU",
            };
        }
        else if (rr.Pending is true)
        {
            yield return new Finding
            {
                Id = "gpu.memory.row-remap-pending",
                Severity = Severity.Warning,
                Subject = c.Subject,
                Title = "a row remap waits for a GPU reset",
                Evidence = RemapEvidence(rr),
                Fix = $"drain, then `sudo nvidia-smi -i {idx} -r`",
            };
        }
    }

    private static string OnOff(bool on) => on ? "Enabled" : "Disabled";

    private static List<Evidence> Counts(NvidiaSmi.EccState ecc)
    {
        static string S(long? v) => v?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "N/A";
        return
        [
            new("ecc_errors.volatile uncorrectable", S(ecc.Volatile.Uncorrected)),
            new("ecc_errors.volatile correctable", S(ecc.Volatile.Corrected)),
            new("ecc_errors.aggregate uncorrectable", S(ecc.Aggregate.Uncorrected)),
            new("ecc_errors.aggregate correctable", S(ecc.Aggregate.Corrected)),
        ];
    }

    private static List<Evidence> RetiredCounts(NvidiaSmi.RetiredPages rp)
    {
        var e = new List<Evidence>();
        if (rp.SingleBitCount is { } s)
            e.Add(new("retired_pages.multiple_single_bit_retirement", s.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (rp.DoubleBitCount is { } d)
            e.Add(new("retired_pages.double_bit_retirement", d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return e;
    }

    private static List<Evidence> RemapEvidence(NvidiaSmi.RemappedRows rr) =>
    [
        new("remapped_rows.remapped_row_pending", rr.Pending is true ? "Yes" : "No"),
        new("remapped_rows.remapped_row_failure", rr.Failure is true ? "Yes" : "No"),
        new("remapped_rows.remapped_row_unc", rr.Uncorrectable?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "N/A"),
        new("remapped_rows.remapped_row_corr", rr.Correctable?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "N/A"),
    ];

    private static IEnumerable<Evidence> Window(GpuContext c) =>
        c.Window is { } w ? [new Evidence("window", $"{GpuContext.Fmt(w.Seconds)} s")] : [];
}
