using System.Runtime.InteropServices;
using System.Text;

namespace Tpd.Telemetry.Nvml;

/// <summary>
/// NVML through function pointers resolved one by one from libnvidia-ml.so.1 (nvml.dll on Windows), so a
/// symbol an older driver lacks makes that one reading null instead of failing the load. Signatures follow
/// nvml.h; every call returns nvmlReturn_t, 0 = NVML_SUCCESS.
/// </summary>
internal sealed unsafe class NvmlNative : INvmlApi, IDisposable
{
    /// <summary>The soname the driver installs (the unversioned .so exists only with the development package).</summary>
    public const string LinuxLibrary = "libnvidia-ml.so.1";

    public const string WindowsLibrary = "nvml.dll";

    private const int Success = 0;
    private const int StringBuffer = 96; // NVML_DEVICE_UUID_V2_BUFFER_SIZE is 96, names and versions are shorter

    private readonly nint _lib;
    private readonly Dictionary<string, nint> _symbols = new(StringComparer.Ordinal);
    private readonly nint[] _handles;
    private bool _disposed;

    private NvmlNative(nint lib)
    {
        _lib = lib;
        var count = 0u;
        _handles = Call("nvmlDeviceGetCount_v2", out var f) && ((delegate* unmanaged<uint*, int>)f)(&count) == Success
            ? new nint[count]
            : [];
        for (var i = 0u; i < _handles.Length; i++)
        {
            nint h = 0;
            if (Call("nvmlDeviceGetHandleByIndex_v2", out var g))
                _ = ((delegate* unmanaged<uint, nint*, int>)g)(i, &h);
            _handles[i] = h;
        }
    }

    /// <summary>Loads and initialises NVML; null with the reason when the library or a GPU driver is missing.</summary>
    public static NvmlNative? TryOpen(out string? error)
    {
        var name = OperatingSystem.IsWindows() ? WindowsLibrary : LinuxLibrary;
        if (!NativeLibrary.TryLoad(name, out var lib))
        {
            error = $"{name} could not be loaded: no NVIDIA driver is installed (or it is not on the library path)";
            return null;
        }

        if (!NativeLibrary.TryGetExport(lib, "nvmlInit_v2", out var init))
        {
            NativeLibrary.Free(lib);
            error = $"{name} has no nvmlInit_v2: the driver is older than R319";
            return null;
        }

        var rc = ((delegate* unmanaged<int>)init)();
        if (rc != Success)
        {
            NativeLibrary.Free(lib);
            error = $"nvmlInit_v2 failed with nvmlReturn_t {rc} (9 = driver not loaded, 12 = library/driver mismatch, 999 = unknown)";
            return null;
        }

        error = null;
        return new NvmlNative(lib);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (Call("nvmlShutdown", out var f))
            _ = ((delegate* unmanaged<int>)f)();
        NativeLibrary.Free(_lib);
    }

    private bool Call(string symbol, out nint fn)
    {
        if (!_symbols.TryGetValue(symbol, out fn))
        {
            fn = NativeLibrary.TryGetExport(_lib, symbol, out var p) ? p : 0;
            _symbols[symbol] = fn;
        }

        return fn != 0;
    }

    private nint H(int i) => i >= 0 && i < _handles.Length ? _handles[i] : 0;

    private static string Decode(byte* buffer, int length)
    {
        var n = 0;
        while (n < length && buffer[n] != 0)
            n++;
        return Encoding.UTF8.GetString(buffer, n);
    }

    private string? DeviceString(string symbol, int i)
    {
        if (!Call(symbol, out var f) || H(i) == 0)
            return null;
        var buffer = stackalloc byte[StringBuffer];
        return ((delegate* unmanaged<nint, byte*, uint, int>)f)(H(i), buffer, StringBuffer) == Success ? Decode(buffer, StringBuffer) : null;
    }

    private uint? DeviceUInt(string symbol, int i)
    {
        if (!Call(symbol, out var f) || H(i) == 0)
            return null;
        var v = 0u;
        return ((delegate* unmanaged<nint, uint*, int>)f)(H(i), &v) == Success ? v : null;
    }

    private int? DeviceInt(string symbol, int i)
    {
        if (!Call(symbol, out var f) || H(i) == 0)
            return null;
        var v = 0;
        return ((delegate* unmanaged<nint, int*, int>)f)(H(i), &v) == Success ? v : null;
    }

    private ulong? DeviceULong(string symbol, int i)
    {
        if (!Call(symbol, out var f) || H(i) == 0)
            return null;
        var v = 0ul;
        return ((delegate* unmanaged<nint, ulong*, int>)f)(H(i), &v) == Success ? v : null;
    }

    private uint? DeviceUIntArg(string symbol, int i, int arg)
    {
        if (!Call(symbol, out var f) || H(i) == 0)
            return null;
        var v = 0u;
        return ((delegate* unmanaged<nint, int, uint*, int>)f)(H(i), arg, &v) == Success ? v : null;
    }

    public string? DriverVersion()
    {
        if (!Call("nvmlSystemGetDriverVersion", out var f))
            return null;
        var buffer = stackalloc byte[StringBuffer];
        return ((delegate* unmanaged<byte*, uint, int>)f)(buffer, StringBuffer) == Success ? Decode(buffer, StringBuffer) : null;
    }

    public int? CudaDriverVersion()
    {
        if (!Call("nvmlSystemGetCudaDriverVersion_v2", out var f) && !Call("nvmlSystemGetCudaDriverVersion", out f))
            return null;
        var v = 0;
        return ((delegate* unmanaged<int*, int>)f)(&v) == Success ? v : null;
    }

    public int? DeviceCount() => _handles.Length;

    public string? Name(int i) => DeviceString("nvmlDeviceGetName", i);

    public string? Uuid(int i) => DeviceString("nvmlDeviceGetUUID", i);

    public string? PciBusId(int i)
    {
        if (!Call("nvmlDeviceGetPciInfo_v3", out var f) || H(i) == 0)
            return null;
        var info = default(PciInfo);
        return ((delegate* unmanaged<nint, PciInfo*, int>)f)(H(i), &info) == Success ? Decode(info.BusId, 32) : null;
    }

    public (int Major, int Minor)? ComputeCapability(int i)
    {
        if (!Call("nvmlDeviceGetCudaComputeCapability", out var f) || H(i) == 0)
            return null;
        int major = 0, minor = 0;
        return ((delegate* unmanaged<nint, int*, int*, int>)f)(H(i), &major, &minor) == Success ? (major, minor) : null;
    }

    public int? PersistenceMode(int i) => DeviceInt("nvmlDeviceGetPersistenceMode", i);

    public int? PerformanceState(int i) => DeviceInt("nvmlDeviceGetPerformanceState", i);

    public uint? PowerUsage(int i) => DeviceUInt("nvmlDeviceGetPowerUsage", i);

    public uint? PowerLimit(int i) => DeviceUInt("nvmlDeviceGetPowerManagementLimit", i);

    public uint? DefaultPowerLimit(int i) => DeviceUInt("nvmlDeviceGetPowerManagementDefaultLimit", i);

    public uint? EnforcedPowerLimit(int i) => DeviceUInt("nvmlDeviceGetEnforcedPowerLimit", i);

    public (uint Min, uint Max)? PowerLimitConstraints(int i)
    {
        if (!Call("nvmlDeviceGetPowerManagementLimitConstraints", out var f) || H(i) == 0)
            return null;
        uint min = 0, max = 0;
        return ((delegate* unmanaged<nint, uint*, uint*, int>)f)(H(i), &min, &max) == Success ? (min, max) : null;
    }

    public uint? Temperature(int i) => DeviceUIntArg("nvmlDeviceGetTemperature", i, 0);

    public uint? TemperatureThreshold(int i, int threshold) => DeviceUIntArg("nvmlDeviceGetTemperatureThreshold", i, threshold);

    public ulong? ClocksEventReasons(int i) => DeviceULong("nvmlDeviceGetCurrentClocksEventReasons", i);

    public ulong? ClocksThrottleReasons(int i) => DeviceULong("nvmlDeviceGetCurrentClocksThrottleReasons", i);

    public uint? Clock(int i, int type) => DeviceUIntArg("nvmlDeviceGetClockInfo", i, type);

    public uint? MaxClock(int i, int type) => DeviceUIntArg("nvmlDeviceGetMaxClockInfo", i, type);

    public (uint Gpu, uint Memory)? Utilization(int i)
    {
        if (!Call("nvmlDeviceGetUtilizationRates", out var f) || H(i) == 0)
            return null;
        var u = stackalloc uint[2];
        return ((delegate* unmanaged<nint, uint*, int>)f)(H(i), u) == Success ? (u[0], u[1]) : null;
    }

    public (ulong Total, ulong Used)? Memory(int i)
    {
        // nvmlMemory_t { unsigned long long total, free, used; }
        if (!Call("nvmlDeviceGetMemoryInfo", out var f) || H(i) == 0)
            return null;
        var m = stackalloc ulong[3];
        return ((delegate* unmanaged<nint, ulong*, int>)f)(H(i), m) == Success ? (m[0], m[2]) : null;
    }

    public (int Current, int Pending)? EccMode(int i)
    {
        if (!Call("nvmlDeviceGetEccMode", out var f) || H(i) == 0)
            return null;
        int current = 0, pending = 0;
        return ((delegate* unmanaged<nint, int*, int*, int>)f)(H(i), &current, &pending) == Success ? (current, pending) : null;
    }

    public ulong? EccErrors(int i, int errorType, int counterType)
    {
        if (!Call("nvmlDeviceGetTotalEccErrors", out var f) || H(i) == 0)
            return null;
        var v = 0ul;
        return ((delegate* unmanaged<nint, int, int, ulong*, int>)f)(H(i), errorType, counterType, &v) == Success ? v : null;
    }

    public int? RetiredPagesPending(int i) => DeviceInt("nvmlDeviceGetRetiredPagesPendingStatus", i);

    public (uint Correctable, uint Uncorrectable, uint Pending, uint Failure)? RemappedRows(int i)
    {
        if (!Call("nvmlDeviceGetRemappedRows", out var f) || H(i) == 0)
            return null;
        uint c = 0, u = 0, p = 0, x = 0;
        return ((delegate* unmanaged<nint, uint*, uint*, uint*, uint*, int>)f)(H(i), &c, &u, &p, &x) == Success ? (c, u, p, x) : null;
    }

    public uint? PcieGeneration(int i) => DeviceUInt("nvmlDeviceGetCurrPcieLinkGeneration", i);

    public uint? MaxPcieGeneration(int i) => DeviceUInt("nvmlDeviceGetMaxPcieLinkGeneration", i);

    public uint? DeviceMaxPcieGeneration(int i) => DeviceUInt("nvmlDeviceGetGpuMaxPcieLinkGeneration", i);

    public uint? PcieWidth(int i) => DeviceUInt("nvmlDeviceGetCurrPcieLinkWidth", i);

    public uint? MaxPcieWidth(int i) => DeviceUInt("nvmlDeviceGetMaxPcieLinkWidth", i);

    public uint? PcieReplayCounter(int i) => DeviceUInt("nvmlDeviceGetPcieReplayCounter", i);

    private const ulong XidCriticalError = 0x8; // nvmlEventTypeXidCriticalError

    public nint? CreateXidEventSet(out IReadOnlyList<int> registered)
    {
        var devices = new List<int>();
        registered = devices;
        if (!Call("nvmlEventSetCreate", out var create) || !Call("nvmlDeviceRegisterEvents", out var register))
            return null;
        nint set = 0;
        if (((delegate* unmanaged<nint*, int>)create)(&set) != Success || set == 0)
            return null;
        for (var i = 0; i < _handles.Length; i++)
        {
            // NVML_ERROR_NOT_SUPPORTED on a device without Xid reporting: that device is simply not watched.
            if (H(i) != 0 && ((delegate* unmanaged<nint, ulong, nint, int>)register)(H(i), XidCriticalError, set) == Success)
                devices.Add(i);
        }

        return set;
    }

    public (int Device, ulong Xid)? WaitXid(nint set, uint timeoutMs)
    {
        if (!Call("nvmlEventSetWait_v2", out var wait) && !Call("nvmlEventSetWait", out wait))
            return null;
        var data = default(EventData);
        if (((delegate* unmanaged<nint, EventData*, uint, int>)wait)(set, &data, timeoutMs) != Success)
            return null;
        if ((data.EventType & XidCriticalError) == 0)
            return null;
        return (Array.IndexOf(_handles, data.Device), data.Data);
    }

    public void FreeEventSet(nint set)
    {
        if (Call("nvmlEventSetFree", out var f))
            _ = ((delegate* unmanaged<nint, int>)f)(set);
    }

    /// <summary>nvmlEventData_t: device, eventType, eventData (the Xid), gpuInstanceId, computeInstanceId.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct EventData
    {
        public nint Device;
        public ulong EventType;
        public ulong Data;
        public uint GpuInstanceId;
        public uint ComputeInstanceId;
    }

    /// <summary>nvmlPciInfo_t (v3): busIdLegacy[16], domain, bus, device, pciDeviceId, pciSubSystemId, busId[32].</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PciInfo
    {
        public fixed byte BusIdLegacy[16];
        public uint Domain;
        public uint Bus;
        public uint Device;
        public uint PciDeviceId;
        public uint PciSubSystemId;
        public fixed byte BusId[32];
    }
}
