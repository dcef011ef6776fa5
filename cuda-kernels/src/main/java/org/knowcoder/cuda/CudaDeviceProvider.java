package org.knowcoder.cuda;

import org.knowcoder.tensor.device.Device;
import org.knowcoder.tensor.device.DeviceProvider;

/** Registers the CUDA backend as --device cuda (META-INF/services). */
public final class CudaDeviceProvider implements DeviceProvider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Device open() {
        return CudaDevice.open(0);
    }
}
