package w2v4j.kernels.opencl;

import static org.jocl.CL.CL_DEVICE_EXTENSIONS;
import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ACCELERATOR;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.CL_PLATFORM_VERSION;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * The OpenCL devices of this machine, every platform's devices numbered in one sequence
 * ({@code --device N}), as {@code clinfo -l} lists them. Found once per JVM: loading JOCL's native
 * library and asking the ICD loader for platforms is what can fail on a machine without OpenCL,
 * and the reason is kept for {@code backend list} and for the error of {@code --backend opencl}.
 */
public final class OpenClDevices {

    /** One device and what {@code backend list} and the backend need to know about it. */
    public record Device(int index, cl_platform_id platform, cl_device_id id, String platformName,
                         String platformVersion, String name, String type, String version, int computeUnits,
                         long globalMemBytes, long maxWorkGroupSize, boolean fp64) {

        /** One clinfo-like line: index, name, type, platform, units, memory. */
        public String describe() {
            return String.format(Locale.ROOT, "#%d %s (%s, %s; %s, %d compute units, %d MiB%s)", index, name, type,
                    platformName, version, computeUnits, globalMemBytes >> 20, fp64 ? ", fp64" : "");
        }
    }

    private record Discovery(List<Device> devices, String error) {
    }

    private static volatile Discovery discovery;

    private OpenClDevices() {
    }

    /** Every device found (empty when none; see {@link #error}). */
    public static List<Device> devices() {
        return discover().devices();
    }

    /** Why no device was found, or null when there is one. */
    public static String error() {
        return discover().error();
    }

    private static Discovery discover() {
        Discovery d = discovery;
        if (d == null) {
            synchronized (OpenClDevices.class) {
                d = discovery;
                if (d == null) {
                    d = probe();
                    discovery = d;
                }
            }
        }
        return d;
    }

    private static Discovery probe() {
        try {
            CL.setExceptionsEnabled(true);
            int[] count = new int[1];
            try {
                CL.clGetPlatformIDs(0, null, count);
            } catch (RuntimeException e) {
                // The ICD loader reports "no platform" as an error (CL_PLATFORM_NOT_FOUND_KHR).
                return new Discovery(List.of(), "no OpenCL platform found (" + e.getMessage()
                        + "); install an ICD, e.g. apt-get install pocl-opencl-icd ocl-icd-libopencl1");
            }
            if (count[0] == 0) {
                return new Discovery(List.of(), "no OpenCL platform found; install an ICD, e.g. apt-get install pocl-opencl-icd ocl-icd-libopencl1");
            }
            cl_platform_id[] platforms = new cl_platform_id[count[0]];
            CL.clGetPlatformIDs(platforms.length, platforms, null);
            List<Device> devices = new ArrayList<>();
            for (cl_platform_id p : platforms) {
                int[] n = new int[1];
                try {
                    CL.clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, n);
                } catch (RuntimeException e) {
                    continue; // a platform without devices (CL_DEVICE_NOT_FOUND)
                }
                cl_device_id[] ids = new cl_device_id[n[0]];
                CL.clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, ids.length, ids, null);
                for (cl_device_id id : ids) {
                    devices.add(new Device(devices.size(), p, id, platformString(p, CL_PLATFORM_NAME),
                            platformString(p, CL_PLATFORM_VERSION), deviceString(id, CL_DEVICE_NAME),
                            typeName(deviceLong(id, CL_DEVICE_TYPE)), deviceString(id, CL_DEVICE_VERSION),
                            (int) deviceInt(id, CL_DEVICE_MAX_COMPUTE_UNITS), deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE),
                            deviceSize(id, CL_DEVICE_MAX_WORK_GROUP_SIZE),
                            deviceString(id, CL_DEVICE_EXTENSIONS).contains("cl_khr_fp64")));
                }
            }
            if (devices.isEmpty()) {
                return new Discovery(List.of(), count[0] + " OpenCL platform(s) but no device");
            }
            return new Discovery(List.copyOf(devices), null);
        } catch (Throwable t) { // UnsatisfiedLinkError when libOpenCL.so.1 (the ICD loader) is missing
            return new Discovery(List.of(), "OpenCL unavailable: " + t
                    + " (install ocl-icd-libopencl1 and an ICD such as pocl-opencl-icd)");
        }
    }

    private static String typeName(long type) {
        if ((type & CL_DEVICE_TYPE_GPU) != 0) return "GPU";
        if ((type & CL_DEVICE_TYPE_CPU) != 0) return "CPU";
        if ((type & CL_DEVICE_TYPE_ACCELERATOR) != 0) return "accelerator";
        return "other";
    }

    static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(p, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        CL.clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(d, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        CL.clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_long, Pointer.to(v), null);
        return v[0];
    }

    static long deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_int, Pointer.to(v), null);
        return v[0];
    }

    static long deviceSize(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8).trim();
    }
}
