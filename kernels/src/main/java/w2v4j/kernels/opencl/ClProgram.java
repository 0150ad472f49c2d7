package w2v4j.kernels.opencl;

import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

import w2v4j.core.W2vException;

/**
 * A context, an in-order command queue and the compiled kernels on one device. The OpenCL C
 * sources are resources next to this class, concatenated after {@code common.cl} and built once
 * (PoCL caches the binary in {@code ~/.cache/pocl}). Kernels are looked up by name; their
 * arguments are set per launch, so a program must be used by one thread at a time (the backend
 * synchronizes).
 */
final class ClProgram implements AutoCloseable {

    static final String[] SOURCES = {"common.cl", "gemm.cl", "elementwise.cl", "norm.cl", "conv.cl", "attention.cl"};

    final OpenClDevices.Device device;
    final cl_context context;
    final cl_command_queue queue;
    private final cl_program program;
    private final Map<String, cl_kernel> kernels = new HashMap<>();

    @SuppressWarnings("deprecation") // clCreateCommandQueue: the 1.2 call, which every platform still has
    ClProgram(OpenClDevices.Device device) {
        this.device = device;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platform());
        context = CL.clCreateContext(props, 1, new cl_device_id[]{device.id()}, null, null, null);
        queue = CL.clCreateCommandQueue(context, device.id(), 0, null);
        StringBuilder src = new StringBuilder();
        for (String s : SOURCES) {
            src.append("// ---- ").append(s).append('\n').append(resource(s)).append('\n');
        }
        program = CL.clCreateProgramWithSource(context, 1, new String[]{src.toString()}, null, null);
        try {
            CL.clBuildProgram(program, 0, null, "", null, null);
        } catch (CLException e) {
            throw new W2vException("OpenCL kernels failed to build on " + device.name() + ": " + e.getMessage()
                    + "\n" + buildLog());
        }
    }

    private String buildLog() {
        long[] size = new long[1];
        CL.clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        CL.clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
        return new String(buf, StandardCharsets.UTF_8).trim();
    }

    private static String resource(String name) {
        try (InputStream in = ClProgram.class.getResourceAsStream("/w2v4j/kernels/opencl/" + name)) {
            if (in == null) throw new IllegalStateException("missing OpenCL source " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read OpenCL source " + name, e);
        }
    }

    cl_mem createBuffer(long bytes) {
        return CL.clCreateBuffer(context, CL_MEM_READ_WRITE, Math.max(bytes, 4), null, null);
    }

    /**
     * Sets the arguments of kernel {@code name} ({@code cl_mem}, Integer, Boolean as int, Float,
     * Long) and enqueues it over {@code global} work-items in groups of {@code local} (global is
     * rounded up to a multiple; kernels check their bounds). Nothing is enqueued for global 0.
     */
    void run(String name, long global, long local, Object... args) {
        if (global <= 0) return;
        cl_kernel k = setArgs(name, args);
        long g = (global + local - 1) / local * local;
        CL.clEnqueueNDRangeKernel(queue, k, 1, null, new long[]{g}, new long[]{local}, 0, null, null);
    }

    /** A 2-D launch: {@code gx * gy} work-items in {@code lx * ly} groups (each rounded up). */
    void run2d(String name, long gx, long gy, long lx, long ly, Object... args) {
        if (gx <= 0 || gy <= 0) return;
        cl_kernel k = setArgs(name, args);
        long[] g = {(gx + lx - 1) / lx * lx, (gy + ly - 1) / ly * ly};
        CL.clEnqueueNDRangeKernel(queue, k, 2, null, g, new long[]{lx, ly}, 0, null, null);
    }

    private cl_kernel setArgs(String name, Object[] args) {
        cl_kernel k = kernels.computeIfAbsent(name, n -> CL.clCreateKernel(program, n, null));
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            switch (a) {
                case cl_mem m -> CL.clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(m));
                case Integer v -> CL.clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[]{v}));
                case Boolean v -> CL.clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[]{v ? 1 : 0}));
                case Float v -> CL.clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[]{v}));
                case Long v -> CL.clSetKernelArg(k, i, Sizeof.cl_long, Pointer.to(new long[]{v}));
                default -> throw new IllegalArgumentException("kernel " + name + " argument " + i + ": " + a);
            }
        }
        return k;
    }

    void finish() {
        CL.clFinish(queue);
    }

    @Override
    public void close() {
        for (cl_kernel k : kernels.values()) CL.clReleaseKernel(k);
        kernels.clear();
        CL.clReleaseProgram(program);
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
    }
}
