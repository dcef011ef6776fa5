package org.knowcoder.cli;

import org.knowcoder.io.BadInputException;
import org.knowcoder.model.session.ModelLoader;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.device.Device;
import picocli.CommandLine.Option;

/** {@code --device} and {@code --quantize}, for every command that runs a model. */
final class DeviceOptions {
    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--quantize", paramLabel = "q8_0", description = "quantize the weights to Q8_0 at load time")
    String quantize;

    void check() {
        if (!device.equals("cpu") && !device.equals("cuda")) throw new BadInputException("--device " + device + ": expected cpu or cuda");
        if (quantize != null && !quantize.equalsIgnoreCase("q8_0")) throw new BadInputException("--quantize supports q8_0 only, got " + quantize);
    }

    boolean onCpu() {
        return device.equals("cpu");
    }

    boolean quantizeQ8() {
        return quantize != null;
    }

    /** The accelerator, or null for the CPU (whose sessions compute on the pool directly). */
    Device open(WorkerPool pool) {
        return ModelLoader.accelerator(device, pool);
    }
}
