package org.knowcoder.cli;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.session.ModelLoader;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.device.Device;
import picocli.CommandLine.Option;

/** {@code --device} and {@code --quantize}, for every command that runs a model. */
final class DeviceOptions {
    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--quantize", paramLabel = "TYPE", description = "quantize the weights at load time: q8_0, q4_0 or q4_k")
    String quantize;

    void check() {
        if (!device.equals("cpu") && !device.equals("cuda")) throw new BadInputException("--device " + device + ": expected cpu or cuda");
        quantize();
    }

    boolean onCpu() {
        return device.equals("cpu");
    }

    /** The type --quantize names, or null without one. */
    DType quantize() {
        return ModelLoader.quantization(quantize);
    }

    /** The accelerator, or null for the CPU (whose sessions compute on the pool directly). */
    Device open(WorkerPool pool) {
        return ModelLoader.accelerator(device, pool);
    }
}
