package org.knowcoder.tensor.device;

/**
 * A backend that may be present at run time (registered in META-INF/services), such as the CUDA
 * backend of the cuda-kernels module. {@link Devices} finds it by {@link #name}.
 */
public interface DeviceProvider {
    /** The name users give to --device ("cuda"). */
    String name();

    /** Opens the backend's first device; throws DeviceUnavailableException saying why it cannot. */
    Device open();
}
