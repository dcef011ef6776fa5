package org.knowcoder.cuda;

import org.knowcoder.tensor.device.DeviceUnavailableException;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The GPU the tests share, opened once; tests that need it skip, saying why, on a machine without one. */
final class Gpu {
    private Gpu() {}

    private static CudaDevice device;
    private static String unavailable;

    static synchronized CudaDevice device() {
        if (device == null && unavailable == null) {
            try {
                device = CudaDevice.open(0);
            } catch (DeviceUnavailableException e) {
                unavailable = e.getMessage();
            }
        }
        assumeTrue(device != null, () -> "no GPU: " + unavailable);
        return device;
    }
}
