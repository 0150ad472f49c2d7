package w2v4j.kernels;

import java.util.Locale;

/**
 * Host-to-device and device-to-host copies made by a device backend ({@link Backend#transferStats}):
 * calls (one enqueued read or write each) and bytes, per direction, since the backend was created. Subtract two
 * snapshots ({@link #minus}) to get the copies of one step.
 */
public record TransferStats(long hostToDeviceCalls, long hostToDeviceBytes, long deviceToHostCalls,
                            long deviceToHostBytes) {

    public TransferStats minus(TransferStats earlier) {
        return new TransferStats(hostToDeviceCalls - earlier.hostToDeviceCalls,
                hostToDeviceBytes - earlier.hostToDeviceBytes, deviceToHostCalls - earlier.deviceToHostCalls,
                deviceToHostBytes - earlier.deviceToHostBytes);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "host->device %d copies %.2f MB, device->host %d copies %.2f MB",
                hostToDeviceCalls, hostToDeviceBytes / 1e6, deviceToHostCalls, deviceToHostBytes / 1e6);
    }
}
