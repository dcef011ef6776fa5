package org.knowcoder.tensor.device;

import java.util.ServiceLoader;
import org.knowcoder.parallel.WorkerPool;

/** Opens a device by the name users give to --device. */
public final class Devices {
    private Devices() {}

    /**
     * "cpu" is always there and computes on {@code pool}; any other name is looked up among the
     * {@link DeviceProvider}s on the class path. Throws DeviceUnavailableException saying why a
     * device cannot be opened.
     */
    public static Device open(String name, WorkerPool pool) {
        if (name.equals("cpu")) return new CpuDevice(pool);
        for (DeviceProvider provider : ServiceLoader.load(DeviceProvider.class)) {
            if (provider.name().equals(name)) return provider.open();
        }
        throw new DeviceUnavailableException("--device " + name + ": no " + name + " backend in this build (expected cpu or cuda)");
    }
}
