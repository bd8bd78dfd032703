namespace Tpd.Telemetry.Host;

/// <summary>What an operator should do about an Xid, mildest first.</summary>
public enum XidAction
{
    RestartApplication,
    ResetGpu,
    DrainAndReset,
    Rma,
}

/// <summary>One Xid's meaning, the doctor severity it maps to and the action.</summary>
public sealed record XidInfo(int Xid, string Name, Doctor.Severity Severity, XidAction Action, string Advice);

/// <summary>
/// The Xid numbers that matter for a serving fleet, from NVIDIA's published catalog ("XID Errors",
/// https://docs.nvidia.com/deploy/xid-errors/ , the table of Xids with their causes and the "GPU memory
/// error management" actions; the per-Xid resolution buckets are in
/// https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html). Xids caused by the application (13, 31, 43, 45) warn; memory and bus
/// failures that take the GPU out of service are errors.
/// </summary>
public static class XidCatalog
{
    private static readonly Dictionary<int, XidInfo> Known = new XidInfo[]
    {
        new(13, "Graphics engine exception", Doctor.Severity.Warning, XidAction.RestartApplication,
            "usually an application fault (illegal instruction or out-of-range access); restart the serving process; if it recurs on one GPU only, run `dcgmi diag -r 2`"),
        new(31, "GPU memory page fault", Doctor.Severity.Warning, XidAction.RestartApplication,
            "usually an application or driver bug accessing an invalid address; restart the serving process and check its logs"),
        new(43, "GPU stopped processing", Doctor.Severity.Warning, XidAction.RestartApplication,
            "a channel was reset after an application fault; restart the serving process"),
        new(45, "Preemptive cleanup, due to previous errors", Doctor.Severity.Warning, XidAction.RestartApplication,
            "follows a killed or faulted process; look for the Xid that preceded it"),
        new(48, "Double-bit ECC error (DBE)", Doctor.Severity.Error, XidAction.DrainAndReset,
            "uncorrectable memory error; drain the node and reset the GPU so the page is retired or the row remapped; RMA if it recurs"),
        new(63, "ECC page retirement or row remapping recorded", Doctor.Severity.Warning, XidAction.ResetGpu,
            "a retirement or remap was recorded and takes effect at the next GPU reset; schedule `nvidia-smi -r`"),
        new(64, "ECC page retirement or row remapping failed", Doctor.Severity.Error, XidAction.Rma,
            "the GPU could not retire the page or remap the row (no spares left); drain the node and RMA the GPU"),
        new(74, "NVLink error", Doctor.Severity.Error, XidAction.DrainAndReset,
            "an NVLink link failed; drain, reset the GPUs on the link, check `nvidia-smi nvlink -s`; RMA if it recurs"),
        new(79, "GPU has fallen off the bus", Doctor.Severity.Error, XidAction.DrainAndReset,
            "the GPU stopped answering on PCIe (power delivery, seating, thermals or firmware); drain the node, reboot, check power cables and riser; RMA if it recurs"),
        new(92, "High single-bit ECC error rate", Doctor.Severity.Warning, XidAction.ResetGpu,
            "corrected errors are arriving fast; watch `nvidia-smi -q -d ECC` and plan a reset; RMA if the rate keeps rising"),
        new(94, "Contained ECC error", Doctor.Severity.Warning, XidAction.ResetGpu,
            "an uncorrectable error was contained to the process that hit it; restart that process and reset the GPU at the next drain to remap the row"),
        new(95, "Uncontained ECC error", Doctor.Severity.Error, XidAction.DrainAndReset,
            "an uncorrectable error could not be contained; every process on the GPU is affected; drain and reset the GPU"),
        new(119, "GSP RPC timeout", Doctor.Severity.Error, XidAction.DrainAndReset,
            "the GPU System Processor stopped answering; drain and reset the GPU (or reboot); update the driver if it recurs"),
        new(120, "GSP error", Doctor.Severity.Error, XidAction.DrainAndReset,
            "the GPU System Processor reported an error; drain and reset the GPU; update the driver if it recurs"),
    }.ToDictionary(x => x.Xid);

    public static IReadOnlyCollection<XidInfo> All => Known.Values;

    /// <summary>The catalog entry, or a warning that sends the operator to NVIDIA's table for an Xid not listed here.</summary>
    public static XidInfo Lookup(int xid) =>
        Known.TryGetValue(xid, out var info)
            ? info
            : new XidInfo(xid, "Xid not in tpd's catalog", Doctor.Severity.Warning, XidAction.RestartApplication,
                $"look Xid {xid} up in NVIDIA's table at https://docs.nvidia.com/deploy/xid-errors/");
}
