package w2v4j.kernels.opencl;

import java.util.ArrayList;
import java.util.List;

import w2v4j.core.W2vException;
import w2v4j.kernels.Backend;
import w2v4j.kernels.BackendProvider;

/**
 * Registers {@link OpenClBackend} as {@code opencl}. Available when JOCL's native library loads and
 * the ICD loader reports at least one device; {@code --device N} picks among all devices of all
 * platforms, numbered as {@link #devices} lists them.
 */
public final class OpenClBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return OpenClBackend.NAME;
    }

    @Override
    public boolean available() {
        return !OpenClDevices.devices().isEmpty();
    }

    @Override
    public String unavailableReason() {
        return OpenClDevices.error();
    }

    @Override
    public List<String> devices() {
        List<String> lines = new ArrayList<>();
        for (OpenClDevices.Device d : OpenClDevices.devices()) lines.add(d.describe());
        return lines;
    }

    @Override
    public Backend create(int device) {
        List<OpenClDevices.Device> all = OpenClDevices.devices();
        if (all.isEmpty()) throw new W2vException("backend 'opencl' is not available: " + OpenClDevices.error());
        if (device < 0 || device >= all.size()) {
            throw new W2vException("OpenCL device " + device + " does not exist; found " + all.size() + ": "
                    + String.join("; ", devices()));
        }
        return new OpenClBackend(all.get(device));
    }
}
